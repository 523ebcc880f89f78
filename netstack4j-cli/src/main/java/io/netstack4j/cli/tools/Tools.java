package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Shell;
import io.netstack4j.ns.NetStack;

/** Registers the Linux tools netstack4j speaks: ip, tc, sysctl, ping, tcpdump, nstat, netstat, nc and ss (UDP). */
public final class Tools {

    private Tools() {
    }

    public static void registerAll(Shell shell, NetStack stack) {
        Context ctx = new Context(stack);
        shell.register("ip", new IpCommand(ctx));
        shell.register("tc", new TcCommand(ctx));
        shell.register("sysctl", new SysctlCommand(ctx));
        shell.register("ping", new PingCommand(ctx));
        shell.register("tcpdump", new TcpdumpCommand(ctx));
        shell.register("nstat", new NstatCommand(ctx, false));
        shell.register("netstat", new NstatCommand(ctx, true));
        shell.register("nc", new NcCommand(ctx));
        shell.register("ss", new SsCommand(ctx));
        shell.register("iperf3", AppCommands.iperf3(ctx));
        shell.register("httpd", AppCommands.httpd(ctx));
        shell.register("curl", AppCommands.curl(ctx));
    }
}
