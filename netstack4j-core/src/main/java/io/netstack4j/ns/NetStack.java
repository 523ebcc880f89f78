package io.netstack4j.ns;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one JVM runs: a {@link NetLoop} and the network namespaces on it, starting with
 * the initial namespace (Linux's {@code init_net}), plus named ones made with {@code netns add}.
 * Methods that change namespaces must run on the loop thread (use {@code loop().call(...)}
 * from other threads).
 */
public final class NetStack implements AutoCloseable {

    /** Named namespaces a stack may hold, a bound so a script cannot exhaust memory. */
    public static final int MAX_NAMESPACES = 1024;

    private final NetLoop loop;
    private final Namespace init;
    private final Map<String, Namespace> named = new LinkedHashMap<>();

    public NetStack(NetLoop loop) {
        this.loop = loop;
        this.init = loop.call(() -> new Namespace(this, ""));
    }

    /** A stack on a virtual clock, driven by the calling thread ({@link NetLoop#runUntil}). */
    public static NetStack simulated(long seed) {
        return new NetStack(NetLoop.simulated(seed));
    }

    /** A stack on the system clock whose loop runs on its own thread. */
    public static NetStack realTime(long seed) {
        NetLoop loop = new NetLoop(Clock.system(), seed);
        NetStack s = new NetStack(loop);
        loop.start();
        return s;
    }

    public NetLoop loop() {
        return loop;
    }

    /** The initial namespace, where commands without {@code -n NS} act. */
    public Namespace init() {
        return init;
    }

    /** {@code ip netns add NAME}. */
    public Namespace addNamespace(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new NetException(Errno.EINVAL, "Invalid netns name \"" + name + "\"");
        }
        if (named.containsKey(name)) {
            throw new NetException(Errno.EEXIST, "Cannot create namespace file \"/var/run/netns/" + name + "\": File exists");
        }
        if (named.size() >= MAX_NAMESPACES) {
            throw new NetException(Errno.ENOSPC, "already " + MAX_NAMESPACES + " namespaces");
        }
        Namespace ns = new Namespace(this, name);
        named.put(name, ns);
        return ns;
    }

    /** The namespace called {@code name}; the empty name is the initial namespace. Null when absent. */
    public Namespace namespace(String name) {
        return name == null || name.isEmpty() ? init : named.get(name);
    }

    /** Like {@link #namespace} but throws the error {@code ip} prints for an unknown name. */
    public Namespace requireNamespace(String name) {
        Namespace ns = namespace(name);
        if (ns == null) {
            throw new NetException(Errno.ENOENT, "Cannot open network namespace \"" + name + "\": No such file or directory");
        }
        return ns;
    }

    /** {@code ip netns del NAME}: its devices are removed (veth peers elsewhere go with them). */
    public void deleteNamespace(String name) {
        Namespace ns = named.get(name);
        if (ns == null) {
            throw new NetException(Errno.ENOENT, "Cannot remove namespace file \"/var/run/netns/" + name + "\": No such file or directory");
        }
        ns.destroy();
        named.remove(name);
    }

    /** Named namespaces in creation order ({@code ip netns list} prints newest first). */
    public List<Namespace> namespaces() {
        return Collections.unmodifiableList(new ArrayList<>(named.values()));
    }

    /** Removes every namespace and stops the loop thread if one runs. */
    @Override
    public void close() {
        loop.run(() -> {
            for (String n : List.copyOf(named.keySet())) {
                deleteNamespace(n);
            }
        });
        loop.stop();
    }
}
