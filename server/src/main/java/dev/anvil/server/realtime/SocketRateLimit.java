package dev.anvil.server.realtime;

/**
 * A token bucket per socket: {@code perSecond} events a second with bursts up to twice that. A
 * socket that keeps sending past its budget is flooding; it is told, then cut off, and no other
 * socket notices (each socket has its own bucket and its own reader thread).
 */
final class SocketRateLimit {

    /** Events dropped in a row before the socket is closed. */
    static final int DROPS_BEFORE_CLOSE = 200;

    private final double perSecond;
    private final double capacity;
    private double tokens;
    private long lastRefillNanos = System.nanoTime();
    private int droppedInARow;

    SocketRateLimit(int perSecond) {
        this.perSecond = perSecond;
        this.capacity = perSecond * 2.0;
        this.tokens = capacity;
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
        if (tokens >= 1) {
            tokens -= 1;
            droppedInARow = 0;
            return Verdict.ALLOW;
        }
        droppedInARow++;
        return droppedInARow >= DROPS_BEFORE_CLOSE ? Verdict.CLOSE : Verdict.DROP;
    }

    /** True for the first drop of a run, so the client hears about it once, not once per event. */
    boolean firstDrop() {
        return droppedInARow == 1;
    }
}
