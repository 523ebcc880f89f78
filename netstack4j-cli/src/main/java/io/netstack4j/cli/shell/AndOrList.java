package io.netstack4j.cli.shell;

import java.util.List;

/**
 * A POSIX "AND-OR list": simple commands joined by {@code &&} and {@code ||}, evaluated left to
 * right with equal precedence, run in the background when terminated by {@code &}.
 *
 * @param commands   at least one command
 * @param connectors {@code connectors.get(i)} joins {@code commands.get(i)} and
 *                   {@code commands.get(i + 1)}
 */
record AndOrList(List<SimpleCommand> commands, List<Connector> connectors, boolean background) {

    enum Connector {
        AND("&&"), OR("||");

        final String symbol;

        Connector(String symbol) {
            this.symbol = symbol;
        }
    }

    public AndOrList {
        commands = List.copyOf(commands);
        connectors = List.copyOf(connectors);
        if (commands.isEmpty() || connectors.size() != commands.size() - 1) {
            throw new IllegalArgumentException(
                    commands.size() + " commands need " + (commands.size() - 1)
                            + " connectors, got " + connectors.size());
        }
    }

    /** The list re-quoted for a message, without the trailing {@code &}. */
    String text() {
        StringBuilder sb = new StringBuilder(commands.getFirst().text());
        for (int i = 0; i < connectors.size(); i++) {
            sb.append(' ').append(connectors.get(i).symbol).append(' ')
                    .append(commands.get(i + 1).text());
        }
        return sb.toString();
    }
}
