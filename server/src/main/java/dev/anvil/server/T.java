package dev.anvil.server;
public final class T {
    public static final long T0 = System.nanoTime();
    public static void m(String what) {
        System.err.printf("TRACE %6.1f %s [%s]%n", (System.nanoTime() - T0) / 1e6, what, Thread.currentThread().getName());
    }
}
