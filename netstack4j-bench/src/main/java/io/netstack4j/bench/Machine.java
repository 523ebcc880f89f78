package io.netstack4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line naming the machine a run was on: CPU model, cores, memory, kernel, JVM. */
final class Machine {

    private Machine() {
    }

    static String describe() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux: keep "unknown CPU"
        }
        long mem = Runtime.getRuntime().maxMemory() >> 20;
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, Linux " + System.getProperty("os.version") + ", Java "
                + Runtime.version() + " (heap max " + mem + " MiB)";
    }
}
