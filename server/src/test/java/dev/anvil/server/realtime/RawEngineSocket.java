package dev.anvil.server.realtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A websocket client that speaks raw Engine.IO text frames, for the tests that must send what no
 * well-behaved Socket.IO client would: malformed packets, oversized messages, floods, silence.
 */
final class RawEngineSocket implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private final boolean answerPings;

    private RawEngineSocket(String baseUrl, boolean answerPings) {
        this.answerPings = answerPings;
        URI uri = URI.create(baseUrl.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket");
        socket = CLIENT.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String frame = partial.toString();
                    partial.setLength(0);
                    if (frame.equals("2") && RawEngineSocket.this.answerPings) {
                        ws.sendText("3", true); // Engine.IO heartbeat, answered at once like a real client
                    } else {
                        frames.add(frame);
                    }
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closed.complete(statusCode + " " + reason);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closed.complete("error " + error);
            }
        }).join();
    }

    /** Opens a socket that answers Engine.IO pings by itself. */
    static RawEngineSocket open(String baseUrl) {
        return new RawEngineSocket(baseUrl, true);
    }

    /** Opens a socket that never answers pings (and sees them as frames). */
    static RawEngineSocket silent(String baseUrl) {
        return new RawEngineSocket(baseUrl, false);
    }

    /** Opens a socket and completes the Socket.IO CONNECT with the given auth JSON. */
    static RawEngineSocket connected(String baseUrl, String authJson) {
        RawEngineSocket socket = new RawEngineSocket(baseUrl, true);
        socket.next("0");
        socket.send("40" + authJson);
        socket.next("40");
        return socket;
    }

    RawEngineSocket send(String frame) {
        socket.sendText(frame, true).join();
        return this;
    }

    /** Sends unless the connection is already closing; false once it is. */
    boolean trySend(String frame) {
        try {
            send(frame);
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            return false;
        }
    }

    /** The next frame starting with {@code prefix} that contains {@code text}. */
    String nextContaining(String prefix, String text) {
        while (true) {
            String frame = next(prefix);
            if (frame.contains(text)) {
                return frame;
            }
        }
    }

    /** The next frame starting with {@code prefix}, skipping others. */
    String next(String prefix) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String frame;
            try {
                frame = frames.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (frame == null) {
                continue;
            }
            if (frame.startsWith(prefix)) {
                return frame;
            }
        }
        throw new AssertionError("no frame starting with " + prefix + " within 10 s (closed: " + closed.getNow("no") + ")");
    }

    /** Waits for the server's close frame: "code reason". */
    String awaitClose() {
        return closed.orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** The close ("code reason") if it comes within {@code millis}, else null. */
    String awaitCloseOrTimeout(long millis) {
        try {
            return closed.get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.abort();
        }
    }
}
