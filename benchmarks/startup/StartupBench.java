import java.io.File;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Startup benchmark (targets.md): milliseconds from launching {@code java -jar} to the first 200
 * from the health route, for anvil-server.jar on an embedded Postgres whose data directory already
 * exists, and for a hello-world Helidon SE jar, alternating in the same run. Polling happens in this
 * process (one cheap connect every 5 ms) so the poller does not steal the two cores it measures.
 *
 * <p>Two comparisons, like with like: plain {@code java -jar} for both, and — on JDK 25+ — both
 * with an ahead-of-time cache from a training run (what {@code ./anvil run} uses for Anvil). The
 * plain ratio is printed last.
 *
 * <p>Run through {@code ./anvil bench startup [rounds]}.
 */
public final class StartupBench {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path work = Files.createTempDirectory("anvil-startup-bench");
        List<String> anvil = List.of(java, "-jar", "server/target/anvil-server.jar");
        List<String> hello = List.of(java, "-jar", "benchmarks/startup/hello/target/hello-helidon.jar");
        Map<String, String> anvilEnv = Map.of("ANVIL_DATA_DIR", work.resolve("anvil-data").toString(),
                "PORT", "17130", "ANVIL_ACCESS_LOG", "false");
        Map<String, String> helloEnv = Map.of("PORT", "17131");

        System.out.println("Preparing the embedded data directory (first start runs initdb and migrations)...");
        measure(anvil, anvilEnv, "http://127.0.0.1:17130/api/health", work);

        if (Runtime.version().feature() >= 25) {
            Path anvilCache = work.resolve("anvil.aot");
            Path helloCache = work.resolve("hello.aot");
            System.out.println("Training ahead-of-time caches (JDK " + Runtime.version().feature() + ")...");
            train(List.of(java, "-XX:AOTCacheOutput=" + anvilCache, "-jar", "server/target/anvil-server.jar", "warmup"),
                    Map.of(), null, work);
            train(List.of(java, "-XX:AOTCacheOutput=" + helloCache, "-jar", "benchmarks/startup/hello/target/hello-helidon.jar"),
                    helloEnv, "http://127.0.0.1:17131/health", work);
            double aotRatio = compare("with AOT cache", rounds, work,
                    List.of(java, "-XX:AOTCache=" + anvilCache, "-jar", "server/target/anvil-server.jar"), anvilEnv,
                    List.of(java, "-XX:AOTCache=" + helloCache, "-jar", "benchmarks/startup/hello/target/hello-helidon.jar"), helloEnv);
            System.out.printf("startup ratio with AOT caches for both (what ./anvil run uses): %.2f%n", aotRatio);
        }
        double plainRatio = compare("plain java -jar", rounds, work, anvil, anvilEnv, hello, helloEnv);
        System.out.printf("startup ratio (plain java -jar, anvil / hello-helidon, target <= 2.0): %.2f%n", plainRatio);
    }

    private static double compare(String label, int rounds, Path work, List<String> anvil, Map<String, String> anvilEnv,
                                  List<String> hello, Map<String, String> helloEnv) throws Exception {
        long[] anvilMs = new long[rounds];
        long[] helloMs = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            anvilMs[i] = measure(anvil, anvilEnv, "http://127.0.0.1:17130/api/health", work);
            helloMs[i] = measure(hello, helloEnv, "http://127.0.0.1:17131/health", work);
            System.out.printf("%s, round %d: anvil %d ms, hello-helidon %d ms%n", label, i + 1, anvilMs[i], helloMs[i]);
        }
        long a = median(anvilMs);
        long h = median(helloMs);
        System.out.printf("%s, median: anvil %d ms, hello-helidon %d ms%n", label, a, h);
        return (double) a / h;
    }

    /** A training run: starts the command, sends a few requests if it serves, and lets it exit to write its cache. */
    private static void train(List<String> command, Map<String, String> env, String url, Path work) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("out.log").toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (url != null) {
            while (!answers200(url)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("training run exited; see " + work.resolve("out.log"));
                }
                Thread.sleep(20);
            }
            for (int i = 0; i < 50; i++) {
                answers200(url);
            }
            process.destroy();
        }
        if (process.waitFor() != 0 && url == null) {
            throw new IllegalStateException("training run failed; see " + work.resolve("out.log"));
        }
    }

    private static long measure(List<String> command, Map<String, String> env, String url, Path work) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("out.log").toFile()));
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("process exited; see " + work.resolve("out.log"));
                }
                if (answers200(url)) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
                Thread.sleep(5);
            }
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    private static boolean answers200(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(200);
            connection.setReadTimeout(2000);
            int status = connection.getResponseCode();
            connection.disconnect();
            return status == 200;
        } catch (Exception notYet) {
            return false;
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
