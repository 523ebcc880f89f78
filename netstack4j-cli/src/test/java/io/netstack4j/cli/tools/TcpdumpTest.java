package io.netstack4j.cli.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.capture.PcapFile;
import io.netstack4j.capture.Tshark;
import io.netstack4j.cli.shell.Shell;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.NetStack;
import io.netstack4j.time.VirtualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcpdump -w} in scenarios: in the background while a ping runs, ended by {@code -c} and
 * collected by {@code wait}, or stopped with the script; the files must be complete. The
 * timeout only guards against a hang.
 */
@Timeout(60)
class TcpdumpTest {

    private static final String TOPOLOGY = """
            ip netns add h1
            ip netns add h2
            ip link add veth0 netns h1 type veth peer name veth1 netns h2
            ip -n h1 addr add 10.0.0.1/24 dev veth0
            ip -n h2 addr add 10.0.0.2/24 dev veth1
            ip -n h1 link set veth0 up
            ip -n h2 link set veth1 up
            """;

    @TempDir
    Path dir;

    private NetStack stack;
    private Shell shell;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        NetLoop loop = new NetLoop(new VirtualClock(), 5);
        stack = new NetStack(loop);
        loop.start();
        shell = new Shell(dir, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Tools.registerAll(shell, stack);
        // A background job starts asynchronously; a scenario that must not miss the first frame
        // waits until the capture is attached (tcpdump puts the device in promiscuous mode).
        shell.register("await-capture", inv -> {
            String ns = inv.operands().get(0);
            String dev = inv.operands().get(1);
            while (stack.loop().call(() -> stack.requireNamespace(ns).devices().byName(dev).promiscuity()) == 0) {
                Thread.sleep(1);
            }
            return 0;
        });
    }

    @AfterEach
    void tearDown() {
        shell.close();
        stack.close();
    }

    private int script(String text) {
        return shell.runScript(new StringReader(text), "test.ns");
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void countedCaptureInTheBackgroundEndsAndIsCollectedByWait() throws Exception {
        int status = script(TOPOLOGY + """
                ip netns exec h1 tcpdump -i veth0 -w cap.pcap -c 4 &
                await-capture h1 veth0
                ip netns exec h1 ping -c 3 10.0.0.2
                wait
                """);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(
                "tcpdump: listening on veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes",
                "4 packets captured",
                "4 packets received by filter",
                "0 packets dropped by kernel"), errLines());
        Path pcap = dir.resolve("cap.pcap");
        assertEquals(4, PcapFile.read(pcap).size());
        Tshark.assertClean(pcap, 4);
        assertTrue(Tshark.fields(pcap, "arp", "arp.opcode").size() >= 1, "the capture begins with ARP");
    }

    @Test
    void captureRunningAtTheEndOfTheScriptIsStoppedAndComplete() throws Exception {
        int status = script(TOPOLOGY + """
                ip netns exec h2 tcpdump -i veth1 -w all.pcap &
                await-capture h2 veth1
                ip netns exec h1 ping -c 2 10.0.0.2
                """);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        List<String> lines = errLines();
        assertEquals("tcpdump: listening on veth1, link-type EN10MB (Ethernet), snapshot length 262144 bytes", lines.get(0));
        assertEquals(4, lines.size(), String.join("\n", lines));
        int captured = Integer.parseInt(lines.get(1).split(" ")[0]);
        assertTrue(lines.get(1).matches("\\d+ packets captured"), lines.get(1));
        assertEquals(captured + " packets received by filter", lines.get(2));
        assertEquals("0 packets dropped by kernel", lines.get(3));
        assertTrue(captured >= 6, "ARP request and reply, two echo requests and replies: " + captured);
        Path pcap = dir.resolve("all.pcap");
        assertEquals(captured, PcapFile.read(pcap).size());
        Tshark.assertClean(pcap, captured);
        assertEquals(List.of(List.of("8"), List.of("0"), List.of("8"), List.of("0")), Tshark.fields(pcap, "icmp", "icmp.type"));
        NetDevice veth1 = stack.loop().call(() -> stack.requireNamespace("h2").devices().byName("veth1"));
        assertEquals(0, stack.loop().call(veth1::promiscuity), "tcpdump left promiscuous mode");
    }

    @Test
    void unknownDeviceAndMissingFile() throws Exception {
        assertEquals(1, shell.execute("tcpdump -i nosuch -w x.pcap"));
        assertEquals("tcpdump: nosuch: No such device exists", err.toString(StandardCharsets.UTF_8).strip());
        for (String line : TOPOLOGY.strip().split("\n")) {
            assertEquals(0, shell.execute(line), line);
        }
        err.reset();
        assertEquals(1, shell.execute("ip netns exec h1 tcpdump -i veth0 -w no/such/dir/x.pcap"));
        assertEquals("tcpdump: no/such/dir/x.pcap: No such file or directory", err.toString(StandardCharsets.UTF_8).strip());
        err.reset();
        assertEquals(1, shell.execute("ip netns exec h1 tcpdump -i veth0"));
        assertEquals("tcpdump: only writing to a file is supported; use -w FILE", err.toString(StandardCharsets.UTF_8).strip());
    }
}
