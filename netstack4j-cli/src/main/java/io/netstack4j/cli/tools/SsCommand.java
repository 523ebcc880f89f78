package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.NetException;
import io.netstack4j.ns.Namespace;
import io.netstack4j.tcp.TcpInfo;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.tcp.TcpSockInfo;
import io.netstack4j.tcp.TcpSockstat;
import io.netstack4j.udp.UdpSock;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ss} for TCP and UDP sockets ({@code -t -u -a -l -n -i -H}), as iproute2 prints it to a pipe (no terminal, so columns are as
 * wide as their widest entry, iproute2's "compact" layout): {@code -u -a -l -n -H}. Without
 * {@code -a} only connected sockets (ESTAB) are shown and the State column is dropped, as ss
 * does when a single state is asked for; {@code -l} shows the unconnected ones (UNCONN). Recv-Q
 * and Send-Q are the bytes charged to the socket's buffers ({@code sk_rmem_alloc},
 * {@code sk_wmem_alloc}). Without {@code -n} well-known ports outside the ephemeral range are
 * shown by service name. For TCP, the default shows connections (not LISTEN, SYN-RECV or
 * TIME-WAIT), {@code -l} listeners, {@code -a} everything; {@code -i} adds iproute2's TCP_INFO
 * line under each socket ({@link TcpInfoText}). {@code -x} and {@code -w} list nothing: there
 * are no such sockets. {@code -s} prints iproute2's summary; alone, nothing else follows it.
 */
final class SsCommand implements Command {

    /** A few of {@code /etc/services}' UDP names. */
    private static final Map<Integer, String> SERVICES = Map.ofEntries(Map.entry(53, "domain"), Map.entry(67, "bootps"),
            Map.entry(68, "bootpc"), Map.entry(69, "tftp"), Map.entry(123, "ntp"), Map.entry(137, "netbios-ns"),
            Map.entry(138, "netbios-dgm"), Map.entry(161, "snmp"), Map.entry(162, "snmp-trap"), Map.entry(500, "isakmp"),
            Map.entry(514, "syslog"), Map.entry(520, "router"), Map.entry(1812, "radius"), Map.entry(5353, "mdns"));

    /** One column of ss's table: header, left delimiter, alignment. */
    private record Column(String header, String ldelim, boolean right) {
    }

    private static final Column NETID = new Column("Netid", "", false);
    private static final Column STATE = new Column("State", " ", false);
    private static final Column RECVQ = new Column("Recv-Q", " ", false);
    private static final Column SENDQ = new Column("Send-Q", " ", false);
    private static final Column LOCAL = new Column("Local Address:", " ", true);
    private static final Column LPORT = new Column("Port", "", false);
    private static final Column PEER = new Column("Peer Address:", " ", true);
    private static final Column PPORT = new Column("Port", "", false);
    private static final Column PROCESS = new Column("Process", "", false);
    private static final Column END = new Column("", "", false);

    private final Context ctx;

    SsCommand(Context ctx) {
        this.ctx = ctx;
    }

    /**
     * What ss knows about one socket, read on the loop. {@code kind} is 0 for a connection
     * (shown by default), 1 for a listening or unconnected socket ({@code -l}), 2 for one shown
     * only with {@code -a} (TIME-WAIT, SYN-RECV).
     */
    private record Row(String netid, String state, int kind, int rq, int wq, int laddr, int lport, int raddr, int rport, TcpInfo info) {
    }

    @Override
    public int run(Invocation inv) {
        boolean all = false;
        boolean listening = false;
        boolean numeric = false;
        boolean udp = false;
        boolean tcp = false;
        boolean info = false;
        boolean otherProto = false;
        boolean header = true;
        boolean summary = false;
        for (String w : inv.operands()) {
            if (w.startsWith("--")) {
                switch (w) {
                    case "--udp" -> udp = true;
                    case "--all" -> all = true;
                    case "--listening" -> listening = true;
                    case "--numeric" -> numeric = true;
                    case "--no-header" -> header = false;
                    case "--tcp" -> tcp = true;
                    case "--info" -> info = true;
                    case "--summary" -> summary = true;
                    case "--unix", "--raw" -> otherProto = true;
                    default -> {
                        inv.stderr().println("ss: unrecognized option '" + w + "'");
                        return 1;
                    }
                }
                continue;
            }
            if (!w.startsWith("-") || w.length() < 2) {
                inv.stderr().println("ss: filters are not supported: " + w);
                return 1;
            }
            for (char c : w.substring(1).toCharArray()) {
                switch (c) {
                    case 'u' -> udp = true;
                    case 'a' -> all = true;
                    case 'l' -> listening = true;
                    case 'n' -> numeric = true;
                    case 'H' -> header = false;
                    case 't' -> tcp = true;
                    case 'i' -> info = true;
                    case 's' -> summary = true;
                    case 'x', 'w', '4' -> otherProto |= c != '4';
                    default -> {
                        inv.stderr().println("ss: invalid option -- '" + c + "'");
                        return 1;
                    }
                }
            }
        }
        boolean showUdp = udp || !otherProto && !tcp;
        boolean showTcp = tcp || !otherProto && !udp;
        boolean showEstab = all || !listening;
        boolean showUnconn = all || listening;
        Namespace ns;
        try {
            ns = ctx.namespace(null);
        } catch (NetException e) {
            inv.stderr().println(Context.message(e));
            return 1;
        }
        if (summary) {
            inv.stdout().print(ctx.call(() -> summary(ns)));
            if (!tcp && !udp && !all && !listening && !info && !otherProto) {
                return 0;
            }
        }
        boolean withTcp = showTcp;
        boolean withUdp = showUdp;
        List<Row> rows = ctx.call(() -> {
            List<Row> out = new ArrayList<>();
            if (withTcp) {
                for (TcpSockInfo t : ns.tcp().sockets()) {
                    int kind = switch (t.state()) {
                        case LISTEN -> 1;
                        case TIME_WAIT, SYN_RECV, CLOSE -> 2;
                        default -> 0;
                    };
                    out.add(new Row("tcp", t.state().ssName(), kind, t.recvQ(), t.sendQ(), t.localAddr(), t.localPort(), t.remoteAddr(),
                            t.remotePort(), t.info()));
                }
            }
            if (withUdp) {
                for (UdpSock sk : ns.udp().sockets()) {
                    out.add(new Row("udp", sk.isConnected() ? "ESTAB" : "UNCONN", sk.isConnected() ? 0 : 1, sk.rmemAlloc(), sk.wmemAlloc(),
                            sk.localAddress(), sk.localPort(), sk.peerAddress(), sk.peerPort(), null));
                }
            }
            return out;
        });
        int[] range = ephemeralRange(ns);
        List<Column> cols = new ArrayList<>();
        // As ss: Netid only when several protocols are listed, State only when several states are.
        boolean single = showUdp != showTcp && !otherProto;
        if (!single) {
            cols.add(NETID);
        }
        if (all || !single) {
            cols.add(STATE);
        }
        cols.addAll(List.of(RECVQ, SENDQ, LOCAL, LPORT, PEER, PPORT, PROCESS, END));
        List<List<String>> table = new ArrayList<>();
        if (header) {
            table.add(cols.stream().map(Column::header).toList());
        }
        List<String> infoLines = new ArrayList<>();
        for (Row r : rows) {
            boolean shown = switch (r.kind()) {
                case 0 -> showEstab;
                case 1 -> showUnconn;
                default -> all;
            };
            if (!shown) {
                continue;
            }
            List<String> t = new ArrayList<>();
            for (Column c : cols) {
                t.add(switch (c.header()) {
                    case "Netid" -> r.netid();
                    case "State" -> r.state();
                    case "Recv-Q" -> String.format("%-6d", r.rq());
                    case "Send-Q" -> String.format("%-6d", r.wq());
                    case "Local Address:" -> new Ipv4Address(r.laddr()) + ":";
                    case "Peer Address:" -> new Ipv4Address(r.raddr()) + ":";
                    case "Port" -> c == LPORT ? service(r.lport(), numeric, range) : service(r.rport(), numeric, range);
                    default -> "";
                });
            }
            table.add(t);
            infoLines.add(info && r.info() != null ? "\t " + TcpInfoText.format(r.info()) : null);
        }
        List<String> lines = render(cols, table);
        for (int i = 0; i < lines.size(); i++) {
            inv.stdout().println(lines.get(i));
            int row = header ? i - 1 : i;
            if (row >= 0 && infoLines.get(row) != null) {
                inv.stdout().println(infoLines.get(row));
            }
        }
        return 0;
    }

    private int[] ephemeralRange(Namespace ns) {
        String[] p = ctx.call(() -> ns.sysctls().get("net.ipv4.ip_local_port_range")).trim().split("\\s+");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    /** {@code resolve_service}: "*" for port 0, else a name unless numeric or ephemeral. */
    private static String service(int port, boolean numeric, int[] ephemeral) {
        if (port == 0) {
            return "*";
        }
        if (!numeric && (port < ephemeral[0] || port > ephemeral[1])) {
            String name = SERVICES.get(port);
            if (name != null) {
                return name;
            }
        }
        return Integer.toString(port);
    }

    /**
     * iproute2's {@code render_calc_width} and {@code render} for output that is not a
     * terminal: a column is as wide as its widest field, plus its left delimiter except for the
     * first; right-aligned columns are padded in front, left-aligned ones behind.
     */
    static List<String> render(List<Column> cols, List<List<String>> table) {
        int[] width = new int[cols.size()];
        boolean first = true;
        for (int c = 0; c < cols.size(); c++) {
            int max = 0;
            for (List<String> row : table) {
                max = Math.max(max, row.get(c).length());
            }
            width[c] = !first && max > 0 ? max + cols.get(c).ldelim().length() : max;
            if (width[c] > 0) {
                first = false;
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : table) {
            StringBuilder sb = new StringBuilder();
            boolean started = false;
            for (int c = 0; c < cols.size(); c++) {
                if (!started && width[c] == 0) {
                    continue;
                }
                Column col = cols.get(c);
                String token = row.get(c);
                int printed = 0;
                if (started) {
                    sb.append(col.ldelim());
                    printed = col.ldelim().length();
                }
                started = true;
                if (col.right() && width[c] > 0) {
                    int s = width[c] - token.length() - printed;
                    printed += pad(sb, s);
                }
                sb.append(token);
                printed += token.length();
                if (!col.right() && width[c] > 0) {
                    pad(sb, width[c] - printed);
                }
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    private static int pad(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) {
            sb.append(' ');
        }
        return Math.max(n, 0);
    }

    /**
     * {@code ss -s}, from what {@code /proc/net/sockstat} and {@code /proc/net/snmp} would say, in
     * iproute2's layout and with its arithmetic ("closed" is allocated sockets not in the tables,
     * plus TIME_WAIT). There is no IPv6 and no raw socket here.
     */
    private static String summary(Namespace ns) {
        TcpSockstat tcp = ns.tcp().sockstat();
        int udp = ns.udp().sockets().size();
        int frag = ns.ipv4().defrag().queueCount();
        long estab = ns.tcp().mib().get(TcpMib.CurrEstab);
        StringBuilder b = new StringBuilder();
        b.append("Total: ").append(tcp.allocated() + udp).append('\n');
        b.append(String.format(Locale.ROOT, "TCP:   %d (estab %d, closed %d, orphaned %d, timewait %d)\n", tcp.allocated(), estab,
                tcp.allocated() - (tcp.inUse() - tcp.timeWait()), tcp.orphans(), tcp.timeWait()));
        b.append('\n');
        b.append("Transport Total     IP        IPv6\n");
        row(b, "RAW", 0);
        row(b, "UDP", udp);
        row(b, "TCP", tcp.inUse());
        row(b, "INET", udp + tcp.inUse());
        row(b, "FRAG", frag);
        b.append('\n');
        return b.toString();
    }

    private static void row(StringBuilder b, String name, int v4) {
        b.append(String.format(Locale.ROOT, "%s\t  %-9d %-9d %-9d\n", name, v4, v4, 0));
    }
}
