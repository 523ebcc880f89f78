package io.netstack4j.cli.shell;

import io.netstack4j.cli.shell.AndOrList.Connector;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns shell text into {@link AndOrList}s: a lexer that does quote removal as it reads
 * (POSIX XCU 2.2, 2.3) followed by a small recursive-descent pass over the tokens (XCU 2.10
 * grammar, restricted to lists, AND-OR lists and simple commands).
 *
 * <p>Unquoted newlines separate commands like {@code ;}, so a caller may parse one line or
 * several at once. See {@link Shell} for the accepted syntax.
 */
final class Parser {

    private enum Type { WORD, NEWLINE, SEMI, AMP, AND_IF, OR_IF, LESS, GREAT, DGREAT, GREATAND }

    /** {@code fd} is the descriptor of a redirection operator, -1 otherwise. */
    private record Token(Type type, String text, int fd, int line) {
    }

    /** Parsing stopped; {@code incomplete} if more input could complete the text. */
    private static final class Stop extends Exception {
        final boolean incomplete;
        final int line;

        Stop(String message, boolean incomplete, int line) {
            super(message, null, false, false);
            this.incomplete = incomplete;
            this.line = line;
        }
    }

    private final String text;
    private final int n;
    private int pos;
    private int line;
    private final List<Token> tokens = new ArrayList<>();

    private Parser(String text, int firstLine) {
        this.text = text;
        this.n = text.length();
        this.line = firstLine;
    }

    /**
     * Parses {@code text}.
     *
     * @param firstLine the script line number of the first character, for messages
     */
    static ParseResult parse(CharSequence text, int firstLine) {
        Parser p = new Parser(text.toString(), firstLine);
        try {
            p.lex();
            return new ParseResult.Complete(p.lists());
        } catch (Stop s) {
            return s.incomplete
                    ? new ParseResult.Incomplete(s.getMessage())
                    : new ParseResult.SyntaxError(s.getMessage(), s.line);
        }
    }

    private Stop syntax(String message) {
        return new Stop(message, false, line);
    }

    private Stop incomplete(String reason) {
        return new Stop(reason, true, line);
    }

    private char at(int i) {
        return i < n ? text.charAt(i) : '\0';
    }

    private static boolean isBlank(char c) {
        // '\r' so that scenario files saved with CRLF line ends still parse.
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static boolean isMeta(char c) {
        return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
    }

    private void lex() throws Stop {
        while (pos < n) {
            char c = text.charAt(pos);
            if (isBlank(c)) {
                pos++;
            } else if (c == '\\' && at(pos + 1) == '\n') {
                pos += 2;
                line++;
            } else if (c == '\n') {
                tokens.add(new Token(Type.NEWLINE, "newline", -1, line));
                pos++;
                line++;
            } else if (c == '#') {
                while (pos < n && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == ';') {
                if (at(pos + 1) == ';') {
                    throw syntax("syntax error near unexpected ';;'");
                }
                tokens.add(new Token(Type.SEMI, ";", -1, line));
                pos++;
            } else if (c == '&') {
                boolean and = at(pos + 1) == '&';
                tokens.add(new Token(and ? Type.AND_IF : Type.AMP, and ? "&&" : "&", -1, line));
                pos += and ? 2 : 1;
            } else if (c == '|') {
                if (at(pos + 1) != '|') {
                    throw syntax("pipelines ('|') are not supported");
                }
                tokens.add(new Token(Type.OR_IF, "||", -1, line));
                pos += 2;
            } else if (c == '(' || c == ')') {
                throw syntax("syntax error near unexpected '" + c + "' (subshells are not"
                        + " supported; quote the parenthesis)");
            } else if (c == '<' || c == '>') {
                redirection(-1);
            } else if (c >= '0' && c <= '9' && ioNumberEnd() > 0) {
                int end = ioNumberEnd();
                String digits = text.substring(pos, end);
                pos = end;
                redirection(digits.length() > 1 ? Integer.MAX_VALUE : digits.charAt(0) - '0');
            } else {
                word();
            }
        }
    }

    /** If digits at {@code pos} are immediately followed by {@code <} or {@code >}, the index
     *  after the digits (an IO_NUMBER, XCU 2.10.1); otherwise -1. */
    private int ioNumberEnd() {
        int j = pos;
        while (j < n && text.charAt(j) >= '0' && text.charAt(j) <= '9') {
            j++;
        }
        char next = at(j);
        return next == '<' || next == '>' ? j : -1;
    }

    /** A redirection operator at {@code pos}; {@code fd} is -1 when none was written. */
    private void redirection(int fd) throws Stop {
        char c = text.charAt(pos);
        if (c == '<') {
            char next = at(pos + 1);
            if (next == '<') {
                throw syntax("here-documents ('<<') are not supported");
            }
            if (next == '&' || next == '>') {
                throw syntax("redirection '<" + next + "' is not supported");
            }
            if (fd != -1 && fd != 0) {
                throw syntax("unsupported redirection '" + fdText(fd) + "<' (only standard"
                        + " input can be read from a file)");
            }
            tokens.add(new Token(Type.LESS, "<", 0, line));
            pos++;
            return;
        }
        int out = fd == -1 ? 1 : fd;
        if (out != 1 && out != 2) {
            throw syntax("unsupported file descriptor " + fdText(fd) + " (only 1 and 2 can be"
                    + " redirected to a file)");
        }
        char next = at(pos + 1);
        if (next == '>') {
            tokens.add(new Token(Type.DGREAT, ">>", out, line));
            pos += 2;
        } else if (next == '&') {
            tokens.add(new Token(Type.GREATAND, ">&", out, line));
            pos += 2;
        } else {
            // ">|" overrides noclobber in sh; there is no noclobber here, so it is plain ">".
            tokens.add(new Token(Type.GREAT, ">", out, line));
            pos += next == '|' ? 2 : 1;
        }
    }

    private static String fdText(int fd) {
        return fd == Integer.MAX_VALUE ? "(multi-digit)" : Integer.toString(fd);
    }

    /** A word at {@code pos}, with quotes and backslashes removed (XCU 2.2). */
    private void word() throws Stop {
        int startLine = line;
        StringBuilder sb = new StringBuilder();
        while (pos < n) {
            char c = text.charAt(pos);
            if (isBlank(c) || c == '\n' || isMeta(c)) {
                break;
            }
            switch (c) {
                case '\'' -> singleQuoted(sb);
                case '"' -> doubleQuoted(sb);
                case '\\' -> {
                    if (pos + 1 >= n) {
                        throw incomplete("unexpected end of input after '\\'");
                    }
                    char next = text.charAt(pos + 1);
                    if (next == '\n') {
                        line++;
                    } else {
                        sb.append(next);
                    }
                    pos += 2;
                }
                default -> {
                    sb.append(c);
                    pos++;
                }
            }
        }
        tokens.add(new Token(Type.WORD, sb.toString(), -1, startLine));
    }

    /** XCU 2.2.2: every character up to the next {@code '} is literal. */
    private void singleQuoted(StringBuilder sb) throws Stop {
        int close = text.indexOf('\'', pos + 1);
        if (close < 0) {
            throw incomplete("unterminated single quote");
        }
        String quoted = text.substring(pos + 1, close);
        line += (int) quoted.chars().filter(ch -> ch == '\n').count();
        sb.append(quoted);
        pos = close + 1;
    }

    /** XCU 2.2.3: backslash keeps its meaning only before {@code $ ` " \} and newline. */
    private void doubleQuoted(StringBuilder sb) throws Stop {
        pos++;
        while (true) {
            if (pos >= n) {
                throw incomplete("unterminated double quote");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return;
            }
            if (c == '\\' && pos + 1 < n) {
                char next = text.charAt(pos + 1);
                if (next == '\n') {
                    line++;
                    pos += 2;
                    continue;
                }
                if (next == '$' || next == '`' || next == '"' || next == '\\') {
                    sb.append(next);
                    pos += 2;
                    continue;
                }
            }
            if (c == '\n') {
                line++;
            }
            sb.append(c);
            pos++;
        }
    }

    /** The grammar pass: list := and_or ((';' | '&' | newline) and_or)*. */
    private List<AndOrList> lists() throws Stop {
        List<AndOrList> lists = new ArrayList<>();
        List<SimpleCommand> commands = new ArrayList<>();
        List<Connector> connectors = new ArrayList<>();
        List<String> words = new ArrayList<>();
        List<Redirection> redirections = new ArrayList<>();
        int commandLine = -1;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            line = t.line();
            switch (t.type()) {
                case WORD -> {
                    if (commandLine < 0) {
                        commandLine = t.line();
                    }
                    words.add(t.text());
                }
                case LESS, GREAT, DGREAT, GREATAND -> {
                    if (commandLine < 0) {
                        commandLine = t.line();
                    }
                    Token target = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
                    if (target == null || target.type() != Type.WORD) {
                        throw syntax("missing file name after '" + redirectionText(t) + "'");
                    }
                    i++;
                    redirections.add(redirection(t, target.text()));
                }
                case AND_IF, OR_IF -> {
                    if (commandLine < 0) {
                        throw syntax("syntax error near unexpected '" + t.text() + "'");
                    }
                    commands.add(new SimpleCommand(words, redirections, commandLine));
                    connectors.add(t.type() == Type.AND_IF ? Connector.AND : Connector.OR);
                    words.clear();
                    redirections.clear();
                    commandLine = -1;
                    // XCU 2.10.2: newlines may follow && and ||; the next command continues the list.
                    while (i + 1 < tokens.size() && tokens.get(i + 1).type() == Type.NEWLINE) {
                        i++;
                    }
                    if (i + 1 >= tokens.size()) {
                        throw incomplete("missing command after '" + t.text() + "'");
                    }
                }
                case SEMI, AMP, NEWLINE -> {
                    if (commandLine < 0) {
                        if (t.type() == Type.NEWLINE) {
                            continue;
                        }
                        throw syntax("syntax error near unexpected '" + t.text() + "'");
                    }
                    commands.add(new SimpleCommand(words, redirections, commandLine));
                    lists.add(new AndOrList(commands, connectors, t.type() == Type.AMP));
                    commands.clear();
                    connectors.clear();
                    words.clear();
                    redirections.clear();
                    commandLine = -1;
                }
            }
        }
        if (commandLine >= 0) {
            commands.add(new SimpleCommand(words, redirections, commandLine));
            lists.add(new AndOrList(commands, connectors, false));
        }
        return lists;
    }

    private static String redirectionText(Token t) {
        return t.type() == Type.LESS || t.fd() == 1 ? t.text() : t.fd() + t.text();
    }

    private Redirection redirection(Token op, String target) throws Stop {
        return switch (op.type()) {
            case LESS -> new Redirection.Input(target);
            case GREAT -> new Redirection.Output(op.fd(), target, false);
            case DGREAT -> new Redirection.Output(op.fd(), target, true);
            case GREATAND -> {
                if (!target.equals("1") && !target.equals("2")) {
                    throw syntax("unsupported redirection '" + redirectionText(op) + target
                            + "' (only 1 and 2 can be duplicated)");
                }
                yield new Redirection.Duplicate(op.fd(), target.charAt(0) - '0');
            }
            default -> throw new IllegalStateException("not a redirection: " + op);
        };
    }
}
