package io.netstack4j.cli.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InteractiveTest {

    @TempDir
    Path dir;

    private ShellFixture f;
    private final ByteArrayOutputStream prompts = new ByteArrayOutputStream();
    private final List<String> hooks = new ArrayList<>();

    @BeforeEach
    void setUp() {
        f = new ShellFixture(dir);
        f.shell.onClose(() -> hooks.add("closed"));
        // readline: copies one line of stdin to stdout.
        f.shell.register("readline", inv -> {
            try {
                String line = new BufferedReader(new java.io.InputStreamReader(inv.stdin(),
                        StandardCharsets.UTF_8), 1).readLine();
                inv.stdout().println("read: " + line);
                return 0;
            } catch (IOException e) {
                return 1;
            }
        });
    }

    private int session(String input, boolean prompt) {
        return f.shell.interactive(new BufferedReader(new StringReader(input)),
                new PrintStream(prompts, true, StandardCharsets.UTF_8), prompt);
    }

    @Test
    void continuesAfterErrorsUntilExit() {
        int status = session("""
                false
                nosuch
                echo a | cat
                echo after
                exit 4
                echo never
                """, false);
        assertEquals(4, status);
        assertEquals("after\n", f.out());
        assertEquals("netstack4j: nosuch: command not found\n"
                + "netstack4j: syntax error: pipelines ('|') are not supported\n", f.err());
        assertEquals("", prompts.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("closed"), hooks);
    }

    @Test
    void unterminatedQuoteAtEndOfInputIsASyntaxError() {
        // As in sh, the open quote takes the following lines with it.
        assertEquals(2, session("echo ok\necho 'open\necho x\n", false));
        assertEquals("ok\n", f.out());
        assertEquals("netstack4j: syntax error: unterminated single quote\n", f.err());
    }

    @Test
    void endOfInputEndsWithLastStatus() {
        assertEquals(1, session("echo x\nfalse\n", false));
        assertEquals(List.of("closed"), hooks);
    }

    @Test
    void promptsWhenAsked() {
        session("echo 'a\nb'\ntrue\n", true);
        assertEquals("netstack4j> > netstack4j> netstack4j> \n",
                prompts.toString(StandardCharsets.UTF_8));
        assertEquals("a\nb\n", f.out());
    }

    @Test
    void foregroundCommandReadsTheNextInputLineOnly() {
        assertEquals(0, session("readline\nhello world\necho after\n", false));
        assertEquals("read: hello world\nafter\n", f.out());
    }

    @Test
    void exitWithoutStatusKeepsLastStatus() {
        assertEquals(1, session("false\nexit\n", false));
    }
}
