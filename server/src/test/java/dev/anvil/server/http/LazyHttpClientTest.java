package dev.anvil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The outbound client OAuth and webhooks share the pattern of: nothing built at start, one client ever. */
class LazyHttpClientTest {

    @Test
    void nothingIsBuiltUntilFirstUseThenOneClientServesEveryCaller() throws Exception {
        AtomicInteger built = new AtomicInteger();
        LazyHttpClient lazy = new LazyHttpClient(() -> {
            built.incrementAndGet();
            return HttpClient.newBuilder().build();
        });
        assertThat(built).hasValue(0);

        List<Callable<HttpClient>> callers = IntStream.range(0, 16).<Callable<HttpClient>>mapToObj(i -> lazy::get).toList();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<HttpClient> clients = threads.invokeAll(callers).stream().map(LazyHttpClientTest::result).toList();
            assertThat(clients).allSatisfy(client -> assertThat(client).isSameAs(clients.get(0)));
        }
        assertThat(built).hasValue(1);
        assertThat(lazy.get()).isSameAs(lazy.get());
    }

    private static HttpClient result(Future<HttpClient> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
