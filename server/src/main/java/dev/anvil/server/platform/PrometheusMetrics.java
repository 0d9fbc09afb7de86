package dev.anvil.server.platform;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.common.HelidonServiceLoader;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MeterRegistryFormatter;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.MetricsFactory;
import io.helidon.metrics.spi.MeterRegistryFormatterProvider;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /observe/metrics}: Helidon's meters — the JVM's (memory, threads, GC, class loading, CPU)
 * and the count of requests served — in Prometheus' text format, under the names Helidon's
 * metrics observer uses ({@code requests_count_total}, {@code memory_usedHeap_bytes}, …).
 *
 * <p>Why not Helidon's {@code MetricsObserver}: it builds Helidon's service registry, global config
 * and Micrometer setup while the web server is built, about a quarter of the CPU a start takes on
 * two cores. Here the same Helidon metrics machinery is built in the background shortly after
 * the server listens, or by the first scrape if that comes sooner. Requests are counted from the
 * start. Only the Prometheus text format is served (no JSON, no scope or name selection).
 */
public final class PrometheusMetrics implements HttpService {

    private static final System.Logger LOG = System.getLogger(PrometheusMetrics.class.getName());
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** Requests served before the meters exist; handed to the counter when it is created. */
    private long requestsBeforeMeters;
    private volatile Counter requests;
    /** Helidon's Prometheus formatter over its global registry; it reads the meters on each format. */
    private final CompletableFuture<MeterRegistryFormatter> prometheus = new CompletableFuture<>();
    private final AtomicBoolean building = new AtomicBoolean();

    /**
     * Builds the meters on a daemon thread {@code delay} from now (call it once the server listens:
     * the first requests then do not share the CPU with this), or at the first scrape if sooner.
     */
    public void startInBackground(Duration delay) {
        Thread.ofPlatform().daemon().name("anvil-metrics").start(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            build();
        });
    }

    private void build() {
        if (!building.compareAndSet(false, true)) {
            return;
        }
        try {
            prometheus.complete(createMeters());
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Helidon metrics could not be set up; /observe/metrics will answer 500", e);
            prometheus.completeExceptionally(e);
        }
    }

    private MeterRegistryFormatter createMeters() {
        MetricsConfig config = MetricsConfig.create();
        MetricsFactory factory = MetricsFactory.getInstance();
        MeterRegistry registry = factory.globalRegistry();
        // Helidon's key performance indicator, under its name, type and scope (a Helidon server
        // elsewhere in the JVM with its own metrics observer counts into the same meter).
        Counter counter = registry.getOrCreate(Counter.builder("requests.count").scope("vendor"));
        synchronized (this) {
            counter.increment(requestsBeforeMeters);
            requests = counter;
        }
        return HelidonServiceLoader.create(ServiceLoader.load(MeterRegistryFormatterProvider.class)).asList().stream()
                .flatMap(provider -> provider.formatter(MediaTypes.TEXT_PLAIN, config, registry, Optional.of("scope"),
                        List.of(), List.of()).stream())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No Prometheus formatter for Helidon metrics on the class path"));
    }

    /** Counts every request, as Helidon's metrics observer does. */
    public Filter requestCounter() {
        return new Filter() {
            @Override
            public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
                countRequest();
                chain.proceed();
            }
        };
    }

    private void countRequest() {
        Counter counter = requests;
        if (counter != null) {
            counter.increment();
            return;
        }
        synchronized (this) { // only in the seconds before the meters exist
            if (requests != null) {
                requests.increment();
            } else {
                requestsBeforeMeters++;
            }
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        build(); // a scrape before the background start builds them itself; later ones find them ready
        Optional<Object> text = prometheus.join().format();
        if (text.isEmpty()) {
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
        res.send(text.get().toString());
    }
}
