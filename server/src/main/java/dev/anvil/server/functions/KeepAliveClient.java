package dev.anvil.server.functions;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small blocking HTTP/1.1 client with keep-alive connections, for talking to the runtime. On
 * virtual threads a blocking read costs nothing, and a request is one write and one read on a
 * pooled socket — the JDK's client, built on a selector thread and futures, hands every response
 * across threads several times, which cost more than the function call itself here.
 *
 * <p>It speaks just what a Deno.serve peer needs: plain http, Content-Length or chunked bodies,
 * keep-alive, {@code Connection: close}, and interim 1xx answers skipped. A request that was
 * written is never sent again, since the function may have run.
 */
final class KeepAliveClient implements AutoCloseable {

    private static final int MAX_IDLE_PER_HOST = 256;
    /** How often idle connections are checked for peers that went away (a replaced worker's port is never asked for again). */
    private static final long SWEEP_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Duration connectTimeout;
    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());
    private volatile boolean closed;

    KeepAliveClient(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** A request; {@code uri} carries scheme, host, port, path and query. */
    record Request(String method, URI uri, List<Map.Entry<String, String>> headers, byte[] body, Duration timeout) {
    }

    /** An answer with its body still to read; closing it returns the connection when the body was read to the end. */
    static final class Response implements AutoCloseable {
        private final int status;
        private final Map<String, List<String>> headers;
        private final BodyStream body;

        private Response(int status, Map<String, List<String>> headers, BodyStream body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        int status() {
            return status;
        }

        /** Header names in lower case. */
        Map<String, List<String>> headers() {
            return headers;
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** The declared body length, or -1 when the body is chunked or runs to the end of the connection. */
        long contentLength() {
            return body.declaredLength;
        }

        InputStream body() {
            return body;
        }

        byte[] readAll() throws IOException {
            try (body) {
                return body.readAllBytes();
            }
        }

        @Override
        public void close() {
            body.close();
        }
    }

    /**
     * Sends a request and reads the answer's head. A request that was written is never sent again
     * (the function may have run); a pooled connection the peer has closed is noticed before use.
     */
    Response send(Request request) throws IOException {
        sweepNowAndThen();
        String key = key(request.uri());
        Connection connection = takeIdle(key);
        if (connection == null) {
            connection = open(request.uri());
        }
        try {
            return exchange(connection, key, request);
        } catch (IOException e) {
            connection.close();
            throw e;
        }
    }

    private Response exchange(Connection connection, String key, Request request) throws IOException {
        connection.socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, request.timeout().toMillis()));
        connection.write(request);
        return connection.read(request.method().equals("HEAD"), key);
    }

    private Connection takeIdle(String key) {
        Deque<Connection> pool = idle.get(key);
        if (pool == null) {
            return null;
        }
        Connection connection;
        while ((connection = pool.pollFirst()) != null) {
            if (connection.open()) {
                return connection;
            }
            connection.close();
        }
        return null;
    }

    /** Closes idle connections whose peer is gone, so ports of replaced workers do not keep sockets open. */
    private void sweepNowAndThen() {
        long last = lastSweep.get();
        long now = System.nanoTime();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (Deque<Connection> connections : idle.values()) {
            // Each connection is taken out while it is checked, so no caller is using it meanwhile.
            for (int i = connections.size(); i > 0; i--) {
                Connection connection = connections.pollLast();
                if (connection == null) {
                    break;
                }
                if (connection.open()) {
                    connections.offerLast(connection);
                } else {
                    connection.close();
                }
            }
        }
    }

    private void release(String key, Connection connection) {
        Deque<Connection> pool = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        if (closed || pool.size() >= MAX_IDLE_PER_HOST) {
            connection.close();
            return;
        }
        pool.offerFirst(connection);
    }

    private Connection open(URI uri) throws IOException {
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IOException("The function runtime must be reached over http:// (got " + uri + ")");
        }
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().setTcpNoDelay(true);
            channel.socket().connect(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80),
                    (int) connectTimeout.toMillis());
            return new Connection(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private static String key(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
    }

    @Override
    public void close() {
        closed = true;
        idle.values().forEach(pool -> pool.forEach(Connection::close));
        idle.clear();
    }

    /** One socket: a request written, then an answer read, repeatedly while both sides keep it alive. */
    private final class Connection {
        final SocketChannel channel;
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        /** Reused for every status and header line read on this connection. */
        byte[] line = new byte[256];
        private final ByteBuffer probe = ByteBuffer.allocate(1);

        Connection(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.socket = channel.socket();
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        }

        /**
         * Whether an idle connection can carry a request: a peer that went away (a worker stopped
         * for a new version, or idle) has closed it, which a non-blocking read shows as end of stream.
         */
        boolean open() {
            if (!channel.isOpen()) {
                return false;
            }
            try {
                channel.configureBlocking(false);
                probe.clear();
                int read = channel.read(probe);
                channel.configureBlocking(true);
                return read == 0;
            } catch (IOException e) {
                return false;
            }
        }

        void write(Request request) throws IOException {
            URI uri = request.uri();
            String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            StringBuilder head = new StringBuilder(256 + 64 * request.headers().size());
            head.append(request.method()).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(uri.getHost()).append(uri.getPort() > 0 ? ":" + uri.getPort() : "").append("\r\n");
            for (Map.Entry<String, String> header : request.headers()) {
                // Names and values come from parsed requests; a line break would split the request.
                if (safe(header.getKey()) && safe(header.getValue())) {
                    head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
                }
            }
            byte[] body = request.body();
            if (body.length > 0 || !(request.method().equals("GET") || request.method().equals("HEAD"))) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        Response read(boolean head, String key) throws IOException {
            String statusLine;
            Map<String, List<String>> headers;
            int status;
            do {
                statusLine = readLine();
                if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                    throw new IOException("Malformed status line from the runtime: " + statusLine);
                }
                status = Integer.parseInt(statusLine.substring(9, 12));
                headers = readHeaders();
            } while (status >= 100 && status < 200 && status != 101);

            boolean keepAlive = !"close".equalsIgnoreCase(first(headers, "connection")) && statusLine.startsWith("HTTP/1.1");
            BodyStream body;
            if (head || status == 204 || status == 304) {
                body = new BodyStream(this, key, keepAlive, 0, false);
            } else if ("chunked".equalsIgnoreCase(first(headers, "transfer-encoding"))) {
                body = new BodyStream(this, key, keepAlive, -1, true);
            } else if (first(headers, "content-length") != null) {
                body = new BodyStream(this, key, keepAlive, Long.parseLong(first(headers, "content-length").trim()), false);
            } else {
                body = new BodyStream(this, key, false, -1, false); // to the end of the connection
            }
            return new Response(status, headers, body);
        }

        private Map<String, List<String>> readHeaders() throws IOException {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            int total = 0;
            String line;
            while (!(line = readLine()).isEmpty()) {
                total += line.length();
                if (total > MAX_HEADER_BYTES) {
                    throw new IOException("Response headers from the runtime are too large");
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
                        .add(line.substring(colon + 1).trim());
            }
            return headers;
        }

        String readLine() throws IOException {
            int length = 0;
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    if (length > 0 && line[length - 1] == '\r') {
                        length--;
                    }
                    return new String(line, 0, length, StandardCharsets.ISO_8859_1);
                }
                if (length == line.length) {
                    if (length >= MAX_HEADER_BYTES) {
                        throw new IOException("Response line from the runtime is too long");
                    }
                    line = Arrays.copyOf(line, length * 2);
                }
                line[length++] = (byte) b;
            }
            throw new EOFException("The runtime closed the connection");
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** A body read from the connection; the connection goes back to the pool once the body was read to the end. */
    private final class BodyStream extends InputStream {
        private final Connection connection;
        private final String key;
        private final boolean reusable;
        private final boolean chunked;
        final long declaredLength;
        private long remaining;
        private boolean done;
        private boolean released;

        BodyStream(Connection connection, String key, boolean reusable, long length, boolean chunked) {
            this.connection = connection;
            this.key = key;
            this.reusable = reusable;
            this.chunked = chunked;
            this.declaredLength = chunked ? -1 : length;
            this.remaining = chunked ? 0 : length;
            this.done = !chunked && length == 0;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (done) {
                return -1;
            }
            if (chunked && remaining == 0) {
                remaining = nextChunkSize();
                if (remaining == 0) {
                    while (!connection.readLine().isEmpty()) {
                        // trailers are not used
                    }
                    done = true;
                    return -1;
                }
            }
            int wanted = remaining >= 0 ? (int) Math.min(length, remaining) : length;
            int n = connection.in.read(buffer, offset, wanted);
            if (n == -1) {
                if (remaining < 0) {
                    done = true; // a body that runs to the end of the connection
                    return -1;
                }
                throw new EOFException("The runtime closed the connection in the middle of a response");
            }
            if (remaining > 0) {
                remaining -= n;
                if (remaining == 0 && !chunked) {
                    done = true;
                } else if (remaining == 0) {
                    connection.readLine(); // the CRLF after a chunk
                }
            }
            return n;
        }

        private long nextChunkSize() throws IOException {
            String line = connection.readLine();
            int extension = line.indexOf(';');
            try {
                return Long.parseLong((extension >= 0 ? line.substring(0, extension) : line).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("Malformed chunk size from the runtime: " + line);
            }
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            if (done && reusable) {
                release(key, connection);
            } else {
                connection.close();
            }
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static boolean safe(String text) {
        return text.indexOf('\r') < 0 && text.indexOf('\n') < 0;
    }
}
