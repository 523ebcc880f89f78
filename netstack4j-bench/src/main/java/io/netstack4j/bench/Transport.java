package io.netstack4j.bench;

import io.netstack4j.ns.Namespace;
import io.netstack4j.socket.TcpListener;
import io.netstack4j.socket.TcpSocket;
import io.netstack4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Where a stream benchmark runs: the same benchmark code is handed either the JDK's sockets
 * (the kernel's stack over 127.0.0.1) or netstack4j's, so the two figures differ only by the
 * stack underneath.
 */
interface Transport {

    String name();

    Server listen(int port);

    Conn connect(int port);

    interface Server extends AutoCloseable {
        Conn accept();

        @Override
        void close();
    }

    interface Conn extends AutoCloseable {
        InputStream in();

        OutputStream out();

        /** Half-close: FIN after the queued data. */
        void shutdownOutput();

        @Override
        void close();
    }

    /** The kernel's TCP through {@link java.net.Socket} on 127.0.0.1. */
    static Transport jdk() {
        return new Transport() {
            @Override
            public String name() {
                return "kernel (JDK sockets, 127.0.0.1)";
            }

            @Override
            public Server listen(int port) {
                try {
                    ServerSocket ss = new ServerSocket();
                    ss.setReuseAddress(true);
                    ss.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
                    return new Server() {
                        @Override
                        public Conn accept() {
                            try {
                                return jdkConn(ss.accept());
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }

                        @Override
                        public void close() {
                            unchecked(ss::close);
                        }
                    };
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Conn connect(int port) {
                try {
                    return jdkConn(new Socket(InetAddress.getLoopbackAddress(), port));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private static Conn jdkConn(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return new StreamConn(s.getInputStream(), s.getOutputStream(), () -> unchecked(s::shutdownOutput), () -> unchecked(s::close));
    }

    /** A connection as its two streams and its two ways of ending. */
    record StreamConn(InputStream in, OutputStream out, Runnable halfClose, Runnable fullClose) implements Conn {
        @Override
        public void shutdownOutput() {
            halfClose.run();
        }

        @Override
        public void close() {
            fullClose.run();
        }
    }

    /** An I/O step whose IOException becomes unchecked. */
    interface IoStep {
        void run() throws IOException;
    }

    private static void unchecked(IoStep step) {
        try {
            step.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** netstack4j's TCP: the server listens in {@code serverNs}, clients connect from {@code clientNs}. */
    static Transport stack(String name, Namespace serverNs, Namespace clientNs, Ipv4Address serverAddr) {
        return new Transport() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Server listen(int port) {
                TcpListener l = TcpListener.listen(serverNs, Ipv4Address.ANY, port, 4096, true);
                return new Server() {
                    @Override
                    public Conn accept() {
                        return stackConn(l.accept());
                    }

                    @Override
                    public void close() {
                        l.close();
                    }
                };
            }

            @Override
            public Conn connect(int port) {
                return stackConn(TcpSocket.connect(clientNs, serverAddr, port));
            }
        };
    }

    private static Conn stackConn(TcpSocket s) {
        s.setTcpNoDelay(true);
        return new StreamConn(s.getInputStream(), s.getOutputStream(), s::shutdownOutput, s::close);
    }
}
