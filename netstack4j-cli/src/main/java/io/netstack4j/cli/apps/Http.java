package io.netstack4j.cli.apps;

import io.netstack4j.core.NetException;
import io.netstack4j.ns.Namespace;
import io.netstack4j.socket.TcpListener;
import io.netstack4j.socket.TcpSocket;
import io.netstack4j.wire.Ipv4Address;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * A tiny HTTP/1.1 over netstack4j's TCP, for demos and tests: {@link #serve} answers GET and HEAD
 * for files under a directory ({@code httpd DIR PORT}); {@link #get} fetches one URL
 * ({@code curl}).
 */
public final class Http {

    /** Connections served at once; more wait in the listen backlog. */
    static final int MAX_CONNECTIONS = 256;
    private static final int MAX_HEADER = 16384;

    private Http() {
    }

    /** Reads one CRLF- (or LF-) terminated line; null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (b.size() >= MAX_HEADER) {
                throw new IOException("header line too long");
            }
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                h.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            if (h.size() > 100) {
                throw new IOException("too many headers");
            }
        }
        return h;
    }

    // ---- server ----

    /** {@code httpd DIR PORT}: serves until the listener is closed (or the thread interrupted). */
    public static void serve(Namespace ns, Path root, int port, PrintStream log) {
        Path base = root.toAbsolutePath().normalize();
        Semaphore slots = new Semaphore(MAX_CONNECTIONS);
        try (TcpListener l = TcpListener.listen(ns, Ipv4Address.ANY, port, 128, true)) {
            log.println("httpd: serving " + base + " on port " + port);
            while (!Thread.currentThread().isInterrupted()) {
                TcpSocket s = l.accept();
                slots.acquireUninterruptibly();
                Thread.ofVirtual().name("httpd-conn").start(() -> {
                    try {
                        connection(s, base);
                    } finally {
                        s.close();
                        slots.release();
                    }
                });
            }
        }
    }

    private static void connection(TcpSocket s, Path base) {
        try {
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            OutputStream out = s.getOutputStream();
            while (true) {
                String request = readLine(in);
                if (request == null) {
                    return;
                }
                Map<String, String> headers = readHeaders(in);
                String[] p = request.split(" ");
                boolean http10 = p.length > 2 && p[2].equals("HTTP/1.0");
                boolean close = "close".equalsIgnoreCase(headers.get("connection")) || http10
                        && !"keep-alive".equalsIgnoreCase(headers.get("connection"));
                if (p.length < 3) {
                    respond(out, 400, "Bad Request", null, false, true);
                    return;
                }
                String method = p[0];
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    respond(out, 405, "Method Not Allowed", null, false, close);
                } else {
                    String path = java.net.URLDecoder.decode(p[1].split("\\?")[0], StandardCharsets.UTF_8);
                    Path file = base.resolve(path.replaceFirst("^/+", "")).normalize();
                    if (!file.startsWith(base)) {
                        respond(out, 403, "Forbidden", null, false, close);
                    } else if (Files.isDirectory(file) && Files.isRegularFile(file.resolve("index.html"))) {
                        respond(out, 200, "OK", file.resolve("index.html"), method.equals("HEAD"), close);
                    } else if (Files.isRegularFile(file)) {
                        respond(out, 200, "OK", file, method.equals("HEAD"), close);
                    } else {
                        respond(out, 404, "Not Found", null, false, close);
                    }
                }
                if (close) {
                    s.shutdownOutput();
                    return;
                }
            }
        } catch (IOException | NetException | IllegalArgumentException e) {
            // The client went away or sent garbage: drop the connection.
        }
    }

    private static void respond(OutputStream out, int code, String reason, Path file, boolean head, boolean close) throws IOException {
        byte[] body = file == null ? (code + " " + reason + "\n").getBytes(StandardCharsets.US_ASCII) : null;
        long length = file == null ? body.length : Files.size(file);
        String type = file == null ? "text/plain" : contentType(file);
        String header = "HTTP/1.1 " + code + " " + reason + "\r\nServer: netstack4j-httpd\r\nContent-Type: " + type + "\r\nContent-Length: "
                + length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        if (!head) {
            if (file == null) {
                out.write(body);
            } else {
                try (InputStream f = Files.newInputStream(file)) {
                    f.transferTo(out);
                }
            }
        }
        out.flush();
    }

    static String contentType(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".html") || n.endsWith(".htm")) {
            return "text/html";
        }
        if (n.endsWith(".txt")) {
            return "text/plain";
        }
        return "application/octet-stream";
    }

    // ---- client ----

    /** A fetched response: status code and body length. */
    public record Response(int status, long length) {
    }

    /**
     * {@code curl [-o FILE] http://A.B.C.D[:PORT]/path}: one GET with {@code Connection: close};
     * the body (by Content-Length, chunked, or until the server closes) goes to {@code body}.
     */
    public static Response get(Namespace ns, String url, OutputStream body) throws IOException {
        if (!url.startsWith("http://")) {
            throw new IllegalArgumentException("curl: (1) Protocol not supported: " + url);
        }
        String rest = url.substring(7);
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "/" : rest.substring(slash);
        int colon = hostPort.indexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = colon < 0 ? 80 : Integer.parseInt(hostPort.substring(colon + 1));
        try (TcpSocket s = TcpSocket.connect(ns, Ipv4Address.parse(host), port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nUser-Agent: netstack4j-curl\r\nAccept: */*\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
            String status = readLine(in);
            if (status == null || !status.startsWith("HTTP/")) {
                throw new IOException("curl: (52) Empty reply from server");
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            Map<String, String> h = readHeaders(in);
            long n = 0;
            if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
                String size;
                while ((size = readLine(in)) != null) {
                    int len = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (len == 0) {
                        break;
                    }
                    n += copy(in, body, len);
                    readLine(in);
                }
            } else if (h.containsKey("content-length")) {
                n = copy(in, body, Long.parseLong(h.get("content-length")));
            } else {
                n = copy(in, body, Long.MAX_VALUE);
            }
            body.flush();
            return new Response(code, n);
        } catch (NetException e) {
            throw new IOException("curl: (7) Failed to connect to " + host + " port " + port + ": " + e.errno().message(), e);
        }
    }

    private static long copy(InputStream in, OutputStream out, long max) throws IOException {
        byte[] buf = new byte[65536];
        long done = 0;
        while (done < max) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, max - done));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            done += n;
        }
        return done;
    }
}
