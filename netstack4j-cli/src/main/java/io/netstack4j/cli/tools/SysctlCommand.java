package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.NetException;
import io.netstack4j.core.Sysctls;
import io.netstack4j.ns.Namespace;
import java.util.ArrayList;
import java.util.List;

/** {@code sysctl [-n] [-w] [-a] NAME[=VALUE] ...} (procps), on the current namespace's tree. */
final class SysctlCommand implements Command {

    private final Context ctx;

    SysctlCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public int run(Invocation inv) {
        boolean valuesOnly = false;
        boolean all = false;
        boolean quiet = false;
        List<String> items = new ArrayList<>();
        for (String w : inv.operands()) {
            switch (w) {
                case "-n" -> valuesOnly = true;
                case "-w" -> {
                }
                case "-q" -> quiet = true;
                case "-a", "-A", "-X" -> all = true;
                default -> items.add(w);
            }
        }
        Namespace ns = ctx.namespace(null);
        Sysctls s = ns.sysctls();
        if (all) {
            boolean v = valuesOnly;
            List<String> lines = ctx.call(() -> {
                List<String> out = new ArrayList<>();
                for (String name : s.names()) {
                    out.add(v ? s.get(name) : name + " = " + s.get(name));
                }
                return out;
            });
            lines.forEach(inv.stdout()::println);
            return 0;
        }
        int status = 0;
        for (String item : items) {
            int eq = item.indexOf('=');
            String name = (eq < 0 ? item : item.substring(0, eq)).trim().replace('/', '.');
            try {
                if (eq < 0) {
                    String value = ctx.call(() -> s.get(name));
                    inv.stdout().println(valuesOnly ? value : name + " = " + value);
                } else {
                    String value = item.substring(eq + 1).trim();
                    ctx.run(() -> s.set(name, value));
                    if (!quiet) {
                        inv.stdout().println(valuesOnly ? value : name + " = " + value);
                    }
                }
            } catch (NetException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("cannot stat")) {
                    inv.stderr().println("sysctl: " + e.getMessage());
                } else {
                    inv.stderr().println("sysctl: setting key \"" + name + "\": Invalid argument");
                }
                status = 255;
            }
        }
        return status;
    }
}
