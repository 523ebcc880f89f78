package io.netstack4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The real full Internet table of {@code ../shared/data/bgp-prefixes.txt.gz} (one prefix per
 * line, IPv4 and IPv6): its IPv4 prefixes as parallel arrays of keys and lengths.
 */
record BgpTable(int[] keys, byte[] lengths) {

    /** Where the table is: system property {@code netstack4j.bgp}, else the shared data folder. */
    static Path locate() {
        String p = System.getProperty("netstack4j.bgp");
        if (p != null) {
            return Path.of(p);
        }
        for (Path c : new Path[] {Path.of("../shared/data/bgp-prefixes.txt.gz"), Path.of("/work/shared/data/bgp-prefixes.txt.gz")}) {
            if (Files.isReadable(c)) {
                return c;
            }
        }
        return null;
    }

    int size() {
        return keys.length;
    }

    static BgpTable load(Path file) {
        int[] keys = new int[1 << 20];
        byte[] lens = new byte[1 << 20];
        int n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.US_ASCII), 1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                int slash = line.indexOf('/');
                if (slash < 0 || line.indexOf(':') >= 0) {
                    continue;
                }
                int addr = 0;
                int part = 0;
                for (int i = 0; i < slash; i++) {
                    char c = line.charAt(i);
                    if (c == '.') {
                        addr = addr << 8 | part;
                        part = 0;
                    } else {
                        part = part * 10 + (c - '0');
                    }
                }
                addr = addr << 8 | part;
                int len = Integer.parseInt(line, slash + 1, line.length(), 10);
                if (n == keys.length) {
                    keys = Arrays.copyOf(keys, n * 2);
                    lens = Arrays.copyOf(lens, n * 2);
                }
                keys[n] = len == 0 ? 0 : addr & (-1 << (32 - len));
                lens[n] = (byte) len;
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BgpTable(Arrays.copyOf(keys, n), Arrays.copyOf(lens, n));
    }
}
