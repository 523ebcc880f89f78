package io.netstack4j.cli.tools;

import io.netstack4j.core.NetException;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import java.util.concurrent.Callable;

/**
 * What every command shares: the stack, and the namespace a command acts on. Without
 * {@code -n NS} that is the current namespace of the calling thread: the initial namespace,
 * or the one an enclosing {@code ip netns exec NS} chose. It is an inheritable thread-local,
 * so a background job started inside {@code ip netns exec} keeps its namespace.
 */
public final class Context {

    private final NetStack stack;
    private final InheritableThreadLocal<String> current = new InheritableThreadLocal<>();

    public Context(NetStack stack) {
        this.stack = stack;
    }

    public NetStack stack() {
        return stack;
    }

    /** The namespace named {@code name}, or the current one when {@code name} is null. */
    public Namespace namespace(String name) {
        String n = name != null ? name : current.get();
        return stack.loop().call(() -> stack.requireNamespace(n == null ? "" : n));
    }

    /** Runs {@code body} with {@code name} as the current namespace of this thread. */
    public <T> T inNamespace(String name, Callable<T> body) throws Exception {
        String saved = current.get();
        current.set(name);
        try {
            return body.call();
        } finally {
            current.set(saved);
        }
    }

    /** Runs {@code task} on the stack's loop thread and returns its result. */
    public <T> T call(Callable<T> task) {
        return stack.loop().call(task);
    }

    /** Runs {@code task} on the loop thread. */
    public void run(Runnable task) {
        stack.loop().run(task);
    }

    /** The message a tool prints for a refused request: the detail if one was given, else strerror. */
    static String message(NetException e) {
        return e.getMessage() != null ? e.getMessage() : e.errno().message();
    }
}
