package dev.anvil.server;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.platform.KeysCommand;
import dev.anvil.server.platform.Version;
import dev.anvil.server.platform.WarmupCommand;
import io.helidon.logging.common.LogConfig;

/**
 * {@code java -jar anvil-server.jar [serve|keys|version|warmup]}. Without arguments it serves: embedded
 * Postgres unless a database is configured, migrations, keys, then HTTP on PORT (7130). {@code warmup}
 * is the training run for the JDK's ahead-of-time cache ({@link WarmupCommand}).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        String command = args.length == 0 ? "serve" : args[0];
        AnvilConfig config = AnvilConfig.fromEnvironment();
        if (!command.equals("serve")) {
            LogConfig.configureRuntime(); // serve does it itself, once Postgres is launching
        }
        switch (command) {
            case "serve" -> serve(config);
            case "keys" -> System.exit(KeysCommand.run(config, System.out));
            case "version" -> System.out.println(Version.current());
            case "warmup" -> System.exit(WarmupCommand.run(System.out));
            default -> {
                System.err.println("Usage: java -jar anvil-server.jar [serve|keys|version|warmup]");
                System.exit(2);
            }
        }
    }

    private static void serve(AnvilConfig config) {
        long started = System.nanoTime();
        // The hook goes in before the start: the listener answers a moment before start() returns,
        // and a SIGTERM in that moment must still stop the embedded Postgres (not orphan it).
        AnvilServer server = AnvilServer.start(config, LogConfig::configureRuntime,
                starting -> Runtime.getRuntime().addShutdownHook(new Thread(starting::close, "anvil-shutdown")));
        System.out.printf("Anvil %s listening on %s (started in %d ms)%n", Version.current(), server.baseUrl(),
                (System.nanoTime() - started) / 1_000_000);
        if (server.generatedAccessKeys()) {
            System.out.println("""
                    First start: generated this instance's keys.
                      Admin API key: %s
                      Anon key:      %s
                    Print them again any time with: java -jar server/target/anvil-server.jar keys
                    (or set ACCESS_API_KEY / ACCESS_ANON_KEY to choose them yourself)."""
                    .formatted(server.credentials().projectKeys().apiKey(), server.credentials().projectKeys().anonKey()));
        } else {
            System.out.println("Admin API key and anon key: java -jar server/target/anvil-server.jar keys");
        }
    }
}
