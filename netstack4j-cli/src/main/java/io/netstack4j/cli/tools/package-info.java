/**
 * The commands of the shell, each imitating the Linux tool of the same name: {@code ip}
 * (iproute2), {@code tc}, {@code sysctl} (procps), {@code ping} (iputils), {@code nstat} and
 * {@code netstat -s}. They parse, call into the stack on its loop thread, and print what the
 * real tools print.
 */
package io.netstack4j.cli.tools;
