/**
 * The command language interpreter behind {@code ./netstack4j shell}, {@code ./netstack4j run
 * FILE} and the Java API: a small POSIX-sh subset (quoting, {@code ;}, {@code &&}, {@code ||},
 * {@code &}, {@code wait}, redirections, {@code sh -e} error handling) that runs plugged-in
 * {@link io.netstack4j.cli.shell.Command}s.
 *
 * <p>This package knows nothing about networking; {@code ip}, {@code tc}, {@code ping} and the
 * rest are registered by the application with {@link io.netstack4j.cli.shell.Shell#register}.
 * It depends on nothing but the JDK. Start with {@link io.netstack4j.cli.shell.Shell}.
 */
package io.netstack4j.cli.shell;
