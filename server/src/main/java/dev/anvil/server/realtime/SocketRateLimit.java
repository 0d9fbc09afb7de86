package dev.anvil.server.realtime;

/**
 * A token bucket per socket: {@code perSecond} events a second with bursts up to twice that. A
 * socket that keeps sending past its budget is flooding — more dropped events within one second
 * than twice its rate (at least 20) — and is told, then cut off; no other socket notices (each has
 * its own bucket and its own reader thread).
 */
final class SocketRateLimit {

    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final double perSecond;
    private final double capacity;
    private final int dropsBeforeClose;
    private double tokens;
    private long lastRefillNanos = System.nanoTime();
    private long windowStartNanos = lastRefillNanos;
    private int dropsInWindow;
    private boolean told;

    SocketRateLimit(int perSecond) {
        this.perSecond = perSecond;
        this.capacity = perSecond * 2.0;
        this.tokens = capacity;
        this.dropsBeforeClose = Math.max(20, perSecond * 2);
    }

    enum Verdict { ALLOW, DROP, CLOSE }

    /** Called from the socket's reader thread only. */
    Verdict take() {
        if (perSecond <= 0) {
            return Verdict.ALLOW;
        }
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
        lastRefillNanos = now;
        if (now - windowStartNanos > WINDOW_NANOS) {
            windowStartNanos = now;
            dropsInWindow = 0;
            told = false;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ALLOW;
        }
        dropsInWindow++;
        return dropsInWindow > dropsBeforeClose ? Verdict.CLOSE : Verdict.DROP;
    }

    /** True once per window, so the client hears about drops once, not once per event. */
    boolean shouldTell() {
        if (told) {
            return false;
        }
        told = true;
        return true;
    }
}
