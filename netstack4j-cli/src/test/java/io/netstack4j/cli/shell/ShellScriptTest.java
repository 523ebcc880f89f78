package io.netstack4j.cli.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellScriptTest {

    @TempDir
    Path dir;

    private ShellFixture f;
    private final List<String> ran = new ArrayList<>();

    @BeforeEach
    void setUp() {
        f = new ShellFixture(dir);
        // fail N [WORD...]: records its words and exits with status N.
        f.shell.register("fail", inv -> {
            ran.add(String.join(" ", inv.args()));
            return Integer.parseInt(inv.operands().getFirst());
        });
        f.shell.register("cat", inv -> {
            try {
                inv.stdin().transferTo(inv.stdout());
            } catch (IOException e) {
                inv.stderr().println("cat: " + e.getMessage());
                return 1;
            }
            return 0;
        });
        f.shell.register("complain", inv -> {
            inv.stdout().println("to stdout");
            inv.stderr().println("complain: to stderr");
            return 0;
        });
    }

    @Test
    void scriptRunsCommandsInOrderAndStopsAtTheFailingLine() {
        int status = f.script("""
                echo one
                # a comment, then a blank line

                echo two; fail 0 a
                fail 3 'b c'
                echo never
                """);
        assertEquals(3, status);
        assertEquals("one\ntwo\n", f.out());
        assertEquals(List.of("fail 0 a", "fail 3 b c"), ran);
        assertEquals("test.ns: line 5: fail 3 'b c': exit status 3\n", f.err());
    }

    @Test
    void scriptSucceedsWithStatusOfLastCommand() {
        assertEquals(0, f.script("echo a\ntrue\n"));
        assertEquals("a\n", f.out());
        assertEquals("", f.err());
    }

    @Test
    void failureInsideAndOrListBeforeItsEndDoesNotStopTheScript() {
        // XCU 2.14 set -e: only the last command of an AND-OR list can end the shell.
        int status = f.script("""
                false && echo skipped
                false || echo recovered
                fail 4 || true
                true && fail 5
                echo never
                """);
        assertEquals(5, status);
        assertEquals("recovered\n", f.out());
        assertEquals("test.ns: line 4: fail 5: exit status 5\n", f.err());
    }

    @Test
    void exitEndsTheScriptWithItsStatusAndNoMessage() {
        assertEquals(7, f.script("echo a\nexit 7\necho b\n"));
        assertEquals("a\n", f.out());
        assertEquals("", f.err());
    }

    @Test
    void bareExitUsesLastStatus() {
        assertEquals(4, f.script("fail 4 || exit\necho never\n"));
        assertEquals("", f.out());
    }

    @Test
    void unknownCommandIs127() throws InterruptedException {
        assertEquals(127, f.shell.execute("nosuch -x"));
        assertEquals("netstack4j: nosuch: command not found\n", f.err());
    }

    @Test
    void unknownCommandStopsScript() {
        assertEquals(127, f.script("echo a\nnosuch arg\necho b\n"));
        assertEquals("netstack4j: nosuch: command not found\n"
                + "test.ns: line 2: nosuch arg: exit status 127\n", f.err());
    }

    @Test
    void syntaxErrorStopsScriptWithStatus2() {
        assertEquals(2, f.script("echo a\necho 'open\n"));
        assertEquals("a\n", f.out());
        assertEquals("test.ns: line 2: syntax error: unterminated single quote\n", f.err());
    }

    @Test
    void multiLineQuotesAndContinuations() {
        assertEquals(0, f.script("echo \"a\nb\" \\\n  c\necho d\n"));
        assertEquals("a\nb c\nd\n", f.out());
    }

    @Test
    void sleepWithFractionWorks() throws InterruptedException {
        assertEquals(0, f.shell.execute("sleep 0.01"));
        assertEquals(0, f.shell.execute("sleep .001 0.001s"));
        assertEquals(1, f.shell.execute("sleep soon"));
        assertEquals("sleep: invalid time interval 'soon'\n", f.err());
    }

    @Test
    void echoJoinsWordsAndHonoursDashN() throws InterruptedException {
        f.shell.execute("echo -n 'a  b' c; echo; echo");
        assertEquals("a  b c\n\n", f.out());
    }

    @Test
    void redirectOutputTruncateAppendAndInput() throws Exception {
        f.shell.execute("echo first > out.txt; echo second > out.txt");
        assertEquals("second\n", read("out.txt"));
        f.shell.execute("echo third >> out.txt");
        assertEquals("second\nthird\n", read("out.txt"));
        f.shell.execute("cat < out.txt > copy.txt");
        assertEquals("second\nthird\n", read("copy.txt"));
        f.shell.execute("cat <out.txt");
        assertEquals("second\nthird\n", f.out());
        assertEquals("", f.err());
    }

    @Test
    void redirectStderrAndDuplicate() throws Exception {
        f.shell.execute("complain 2> err.txt");
        assertEquals("complain: to stderr\n", read("err.txt"));
        assertEquals("to stdout\n", f.out());

        f.shell.execute("complain > both.txt 2>&1");
        assertEquals("to stdout\ncomplain: to stderr\n", read("both.txt"));

        f.shell.execute("nosuch 2>> err.txt");
        assertEquals("complain: to stderr\nnetstack4j: nosuch: command not found\n",
                read("err.txt"));

        f.shell.execute("echo moved >&2");
        assertEquals("moved\n", f.err());
    }

    @Test
    void redirectionThatCannotOpenSkipsTheCommand() throws InterruptedException {
        assertEquals(1, f.shell.execute("fail 0 < missing.txt"));
        assertEquals(List.of(), ran);
        assertEquals("netstack4j: " + dir.resolve("missing.txt")
                + ": No such file or directory\n", f.err());
    }

    @Test
    void redirectionOnlyCommandCreatesFile() throws Exception {
        assertEquals(0, f.shell.execute("> empty.txt"));
        assertEquals("", read("empty.txt"));
    }

    @Test
    void commandsCanRedispatchThroughTheShell() throws Exception {
        // As 'ip netns exec NS cmd ...' does.
        f.shell.register("in", inv -> inv.execute(inv.operands().subList(1, inv.operands().size())));
        assertEquals(0, f.shell.execute("in ns1 echo hi > sub.txt"));
        assertEquals("hi\n", read("sub.txt"));
        assertEquals(127, f.shell.execute("in ns1 nosuch"));
        assertEquals(3, f.shell.execute("in ns1 exit 3"));
        assertFalse(f.shell.isClosed());
    }

    @Test
    void invocationResolvesAgainstWorkingDirectory() throws Exception {
        f.shell.register("where", inv -> {
            inv.stdout().println(inv.resolve(inv.operands().getFirst()));
            return 0;
        });
        f.shell.execute("where x.pcap");
        assertEquals(dir.resolve("x.pcap") + "\n", f.out());
    }

    @Test
    void commandThrowingIsAnInternalError() throws InterruptedException {
        f.shell.register("buggy", inv -> {
            throw new IllegalStateException("broken invariant: 3 > 2");
        });
        assertEquals(Shell.STATUS_INTERNAL_ERROR, f.shell.execute("buggy"));
        assertTrue(f.err().startsWith("netstack4j: buggy: internal error: "
                + "java.lang.IllegalStateException: broken invariant: 3 > 2\n"), f.err());
    }

    @Test
    void registrationRejectsDuplicatesAndBadNames() {
        assertThrows(IllegalArgumentException.class, () -> f.shell.register("echo", inv -> 0));
        assertThrows(IllegalArgumentException.class, () -> f.shell.register("fail", inv -> 0));
        assertThrows(IllegalArgumentException.class, () -> f.shell.register("a b", inv -> 0));
        assertThrows(IllegalArgumentException.class, () -> f.shell.register("", inv -> 0));
        assertTrue(f.shell.commandNames().containsAll(
                List.of("true", "false", "echo", "sleep", "wait", "exit", "fail")));
    }

    @Test
    void runScriptClosesTheShell() {
        f.script("true\n");
        assertTrue(f.shell.isClosed());
        assertThrows(IllegalStateException.class, () -> f.shell.execute("true"));
        assertThrows(IllegalStateException.class, () -> f.script("true"));
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }
}
