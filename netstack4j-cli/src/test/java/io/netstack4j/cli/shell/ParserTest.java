package io.netstack4j.cli.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.cli.shell.AndOrList.Connector;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParserTest {

    private static List<AndOrList> lists(String text) {
        return assertInstanceOf(ParseResult.Complete.class, Parser.parse(text, 1)).lists();
    }

    private static SimpleCommand only(String text) {
        List<AndOrList> lists = lists(text);
        assertEquals(1, lists.size(), () -> "lists of " + text);
        assertEquals(1, lists.getFirst().commands().size());
        return lists.getFirst().commands().getFirst();
    }

    private static List<String> words(String text) {
        return only(text).words();
    }

    private static String syntaxError(String text) {
        return assertInstanceOf(ParseResult.SyntaxError.class, Parser.parse(text, 1)).message();
    }

    private static String incomplete(String text) {
        return assertInstanceOf(ParseResult.Incomplete.class, Parser.parse(text, 1)).reason();
    }

    @Test
    void splitsOnBlanks() {
        assertEquals(List.of("ip", "addr", "add", "10.0.0.1/24", "dev", "veth0"),
                words("  ip addr\tadd 10.0.0.1/24   dev veth0  "));
    }

    @Test
    void singleQuotesAreLiteral() {
        assertEquals(List.of("echo", "a b", "$x \\n \"q\"", "its"),
                words("echo 'a b' '$x \\n \"q\"' 'it''s'"));
    }

    @Test
    void doubleQuotesKeepBackslashOnlyBeforeSpecials() {
        assertEquals(List.of("echo", "a \"b\" \\ $c \\n"), words("echo \"a \\\"b\\\" \\\\ \\$c \\n\""));
    }

    @Test
    void backslashQuotesNextCharacterOutsideQuotes() {
        assertEquals(List.of("echo", "a b", "#c", ";", "&"), words("echo a\\ b \\#c \\; \\&"));
    }

    @Test
    void adjacentQuotedPartsFormOneWordAndEmptyQuotesAnEmptyWord() {
        assertEquals(List.of("echo", "abc", "", "x"), words("echo a'b'\"c\" '' x"));
    }

    @Test
    void commentStartsOnlyAtWordStartOutsideQuotes() {
        assertEquals(List.of("echo", "a#b", "# not"), words("echo a#b '# not' # a comment; echo x"));
        assertEquals(List.of(), lists("   # only a comment"));
        assertEquals(List.of(), lists(""));
        assertEquals(List.of(), lists("  \t "));
    }

    @Test
    void semicolonAndAmpersandSeparateCommands() {
        List<AndOrList> lists = lists("a 1; b 2 & c 3 &");
        assertEquals(3, lists.size());
        assertEquals(List.of("a", "1"), lists.get(0).commands().getFirst().words());
        assertEquals(List.of("b", "2"), lists.get(1).commands().getFirst().words());
        assertEquals(List.of(false, true, true), lists.stream().map(AndOrList::background).toList());
        assertEquals(List.of("x", "y"), lists("x;y").stream()
                .map(l -> l.commands().getFirst().words().getFirst()).toList());
    }

    @Test
    void andOrLists() {
        AndOrList list = lists("a && b || c &").getFirst();
        assertEquals(3, list.commands().size());
        assertEquals(List.of(Connector.AND, Connector.OR), list.connectors());
        assertTrue(list.background());
        assertEquals("a && b || c", list.text());
    }

    @Test
    void redirectionsAnywhereInOrder() {
        SimpleCommand cmd = only("cmd >out 2>&1 < in arg 2>> log >>app >&2 2> err");
        assertEquals(List.of("cmd", "arg"), cmd.words());
        assertEquals(List.of(
                new Redirection.Output(1, "out", false),
                new Redirection.Duplicate(2, 1),
                new Redirection.Input("in"),
                new Redirection.Output(2, "log", true),
                new Redirection.Output(1, "app", true),
                new Redirection.Duplicate(1, 2),
                new Redirection.Output(2, "err", false)), cmd.redirections());
    }

    @Test
    void descriptorNumberOnlyAtWordStart() {
        SimpleCommand cmd = only("echo a2>f 10.0.0.1>g");
        assertEquals(List.of("echo", "a2", "10.0.0.1"), cmd.words());
        assertEquals(List.of(new Redirection.Output(1, "f", false),
                new Redirection.Output(1, "g", false)), cmd.redirections());
        assertEquals(List.of("echo", "2", "x"), words("echo 2 x"));
    }

    @Test
    void quotedOperatorsAreWords() {
        assertEquals(List.of("echo", ">", "a;b", "&&", "2>&1"), words("echo '>' \"a;b\" '&&' 2\\>\\&1"));
    }

    @Test
    void redirectionOnlyCommand() {
        SimpleCommand cmd = only("> empty");
        assertEquals(List.of(), cmd.words());
        assertEquals(List.of(new Redirection.Output(1, "empty", false)), cmd.redirections());
    }

    @Test
    void incompleteInputAsksForMore() {
        assertEquals("unterminated single quote", incomplete("echo 'abc"));
        assertEquals("unterminated double quote", incomplete("echo \"abc"));
        assertEquals("unexpected end of input after '\\'", incomplete("echo abc \\"));
        assertEquals("missing command after '&&'", incomplete("a &&"));
        assertEquals("missing command after '||'", incomplete("a ||\n"));
    }

    @Test
    void continuationLines() {
        assertEquals(List.of("echo", "a\nb"), words("echo \"a\nb\""));
        assertEquals(List.of("echo", "a", "b"), words("echo a \\\nb"));
        assertEquals(List.of("echo", "ab"), words("echo a\\\nb"));
        AndOrList list = lists("a &&\n\n b").getFirst();
        assertEquals(2, list.commands().size());
    }

    @Test
    void newlineSeparatesCommandsAndLinesAreCounted() {
        List<AndOrList> lists = lists("a\n\nb 'x\ny'\nc \\\n d; e", 10);
        assertEquals(List.of(10, 12, 14, 15), lists.stream()
                .map(l -> l.commands().getFirst().line()).toList());
    }

    private static List<AndOrList> lists(String text, int firstLine) {
        return assertInstanceOf(ParseResult.Complete.class, Parser.parse(text, firstLine)).lists();
    }

    @Test
    void syntaxErrors() {
        assertEquals("pipelines ('|') are not supported", syntaxError("a | b"));
        assertEquals("syntax error near unexpected ';'", syntaxError("; a"));
        assertEquals("syntax error near unexpected ';;'", syntaxError("a ;; b"));
        assertEquals("syntax error near unexpected '&'", syntaxError("a & & b"));
        assertEquals("syntax error near unexpected '&&'", syntaxError("&& a"));
        assertEquals("missing file name after '>'", syntaxError("echo >"));
        assertEquals("missing file name after '2>>'", syntaxError("echo 2>> ; x"));
        assertEquals("unsupported file descriptor 3 (only 1 and 2 can be redirected to a file)",
                syntaxError("a 3> f"));
        assertEquals("unsupported redirection '>&x' (only 1 and 2 can be duplicated)",
                syntaxError("a >&x"));
        assertEquals("here-documents ('<<') are not supported", syntaxError("cat <<EOF"));
        assertTrue(syntaxError("(a)").startsWith("syntax error near unexpected '('"));
    }

    @Test
    void syntaxErrorReportsItsLine() {
        ParseResult r = Parser.parse("a\nb\nc | d", 7);
        assertEquals(9, assertInstanceOf(ParseResult.SyntaxError.class, r).line());
    }

    @Test
    void textRequotesForMessages() {
        assertEquals("ping -c 1 10.0.0.2 'a b' '' 'it'\\''s'",
                only("ping -c 1 10.0.0.2 'a b' '' \"it's\"").text());
    }
}
