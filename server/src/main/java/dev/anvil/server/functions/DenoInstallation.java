package dev.anvil.server.functions;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the runtime lives on this machine: the runtime host directory ({@code host.ts} and the
 * {@code node_modules} npm installed next to it — the SDK functions import, and Deno itself) and
 * the Deno binary. The build puts the directory in {@code server/target/deno}, next to the jar, so
 * it is found relative to the jar (or to {@code target/classes} when running from the build);
 * {@code ANVIL_DENO_BIN} overrides the binary.
 */
record DenoInstallation(Path hostDirectory, Path binary) {

    static final String HOST_SCRIPT = "host.ts";

    Path hostScript() {
        return hostDirectory.resolve(HOST_SCRIPT);
    }

    Path configFile() {
        return hostDirectory.resolve("deno.json");
    }

    /** The installation, or a sentence saying what is missing (the server still starts without one). */
    static Lookup locate(Optional<String> binaryOverride) {
        List<Path> tried = new ArrayList<>();
        for (Path candidate : hostDirectoryCandidates()) {
            tried.add(candidate);
            if (!Files.isRegularFile(candidate.resolve(HOST_SCRIPT))) {
                continue;
            }
            Path binary = binaryOverride.map(Path::of).orElse(candidate.resolve("node_modules").resolve("@deno")
                    .resolve(platformPackage()).resolve("deno"));
            if (!Files.isExecutable(binary)) {
                return new Lookup(null, "The Deno binary " + binary + " is missing or not executable"
                        + (binaryOverride.isPresent() ? " (ANVIL_DENO_BIN)" : " (the build installs it: ./anvil build)"));
            }
            return new Lookup(new DenoInstallation(candidate.toAbsolutePath().normalize(), binary), null);
        }
        return new Lookup(null, "The function runtime host is not installed (looked in " + tried
                + "); build the server with ./anvil build");
    }

    record Lookup(DenoInstallation installation, String problem) {
        Optional<DenoInstallation> found() {
            return Optional.ofNullable(installation);
        }
    }

    private static List<Path> hostDirectoryCandidates() {
        List<Path> candidates = new ArrayList<>();
        codeLocation().ifPresent(location -> {
            // target/anvil-server.jar or target/classes: either way the runtime is target/deno.
            Path parent = location.getParent();
            if (parent != null) {
                candidates.add(parent.resolve("deno"));
            }
        });
        candidates.add(Path.of("server", "target", "deno"));
        candidates.add(Path.of("target", "deno"));
        return candidates;
    }

    private static Optional<Path> codeLocation() {
        try {
            var source = DenoInstallation.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The npm package that carries Deno's binary for this machine (optional dependencies of {@code deno}). */
    static String platformPackage() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String cpu = arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "x64";
        if (os.contains("mac") || os.contains("darwin")) {
            return "darwin-" + cpu;
        }
        if (os.contains("win")) {
            return "win32-" + cpu;
        }
        return "linux-" + cpu + "-glibc";
    }
}
