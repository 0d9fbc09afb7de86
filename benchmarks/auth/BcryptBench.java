import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import at.favre.lib.crypto.bcrypt.BCrypt;

/**
 * The login benchmark's reference: raw bcrypt verifications (cost 10, the library and hash the
 * server uses) on as many threads as the machine has cores, after a short warm-up. Prints the rate
 * and the CPU time one verification takes (the workers' own thread CPU time, so other processes on
 * a shared machine do not count).
 * Usage: java -cp 'server/target/libs/*' BcryptBench.java <seconds>
 *   -> "bcrypt_verifications_per_s <n> cpu_ms_per_verification <m> ..."
 */
public class BcryptBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int threads = Runtime.getRuntime().availableProcessors();
        char[] password = "correct-horse-7".toCharArray();
        byte[] hash = BCrypt.withDefaults().hashToString(10, password).getBytes(StandardCharsets.UTF_8);
        run(threads, 2, password, hash); // warm-up
        LongAdder cpuNanos = new LongAdder();
        long count = run(threads, seconds, password, hash, cpuNanos);
        System.out.printf("bcrypt_verifications_per_s %.2f cpu_ms_per_verification %.2f (threads=%d, %d s)%n",
                count / (double) seconds, cpuNanos.sum() / 1e6 / count, threads, seconds);
    }

    private static long run(int threads, int seconds, char[] password, byte[] hash) throws InterruptedException {
        return run(threads, seconds, password, hash, new LongAdder());
    }

    private static long run(int threads, int seconds, char[] password, byte[] hash, LongAdder cpuNanos) throws InterruptedException {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Thread(() -> {
                long start = cpu.getCurrentThreadCpuTime();
                while (!stop.get()) {
                    if (!BCrypt.verifyer().verify(password, hash).verified) {
                        throw new IllegalStateException("bcrypt did not verify");
                    }
                    done.increment();
                }
                cpuNanos.add(cpu.getCurrentThreadCpuTime() - start);
            });
            workers[i].start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread worker : workers) {
            worker.join();
        }
        return done.sum();
    }
}
