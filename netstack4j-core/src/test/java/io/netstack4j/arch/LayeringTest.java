package io.netstack4j.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point down only: a package may import packages listed before it, never after.
 * The order is the stack's, bottom first (DESIGN.md). Reads the sources, so it also catches
 * fully qualified references written inline.
 */
class LayeringTest {

    /** Bottom to top. */
    static final List<String> LAYERS = List.of(
            "wire", "time", "core", "drivers", "capture", "sched", "netfilter", "inet", "route", "neigh", "ipv4", "icmp", "udp", "tcp", "ns", "socket");

    private static final Pattern REF = Pattern.compile("io\\.netstack4j\\.([a-z0-9_]+)");

    @Test
    void lowerLayersNeverReferenceHigherOnes() throws IOException {
        Path root = Path.of("src/main/java/io/netstack4j");
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
                files++;
                String pkg = root.relativize(p).getName(0).toString();
                int level = LAYERS.indexOf(pkg);
                assertTrue(level >= 0, "package io.netstack4j." + pkg + " is not placed in LayeringTest.LAYERS");
                String source = Files.readString(p);
                Matcher m = REF.matcher(source);
                while (m.find()) {
                    String target = m.group(1);
                    int targetLevel = LAYERS.indexOf(target);
                    if (targetLevel > level) {
                        violations.add(root.relativize(p) + " (" + pkg + ") references higher layer " + target);
                    }
                }
            }
        }
        assertTrue(files > 50, "expected the core sources under " + root.toAbsolutePath() + ", found " + files + " files");
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckNoticesAnUpwardReference() {
        Matcher m = REF.matcher("import io.netstack4j.ns.Namespace;");
        assertTrue(m.find());
        assertTrue(LAYERS.indexOf(m.group(1)) > LAYERS.indexOf("wire"));
    }
}
