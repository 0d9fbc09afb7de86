package dev.anvil.operator;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Reconciliation counters per controller (project, bucket, function), in Prometheus' text format at /metrics — enough to alert on
 * failures and watch throughput without pulling a metrics library into the operator.
 */
public final class ReconcileMetrics implements Metrics {

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    @Override
    public void receivedEvent(Event event, Map<String, Object> metadata) {
        count("anvil_operator_events_total", controller(metadata));
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        count("anvil_operator_reconciliations_started_total", controller(metadata));
        if (retryInfo != null && retryInfo.getAttemptCount() > 0) {
            count("anvil_operator_reconciliation_retries_total", controller(metadata));
        }
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
        inFlight.incrementAndGet();
    }

    @Override
    public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
        inFlight.decrementAndGet();
    }

    /** Reconciliations executing right now. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        count("anvil_operator_reconciliations_succeeded_total", controller(metadata));
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        count("anvil_operator_reconciliations_failed_total", controller(metadata));
    }

    @Override
    public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
        count("anvil_operator_cleanups_total", controller(metadata));
    }

    /** Total of a counter over all controllers (tests and the benchmark read it). */
    public long total(String name) {
        return counters.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{"))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    public String prometheusText() {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(counters).forEach((series, value) -> out.append(series).append(' ').append(value.sum()).append('\n'));
        out.append("anvil_operator_reconciliations_in_flight ").append(inFlight.get()).append('\n');
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.append("anvil_operator_heap_used_bytes ").append(heap.getUsed()).append('\n');
        out.append("anvil_operator_heap_committed_bytes ").append(heap.getCommitted()).append('\n');
        return out.toString();
    }

    private void count(String name, String controller) {
        counters.computeIfAbsent(name + "{controller=\"" + controller + "\"}", k -> new LongAdder()).increment();
    }

    private static String controller(Map<String, Object> metadata) {
        Object value = metadata == null ? null : metadata.get(Constants.CONTROLLER_NAME);
        return value == null ? "unknown" : value.toString();
    }
}
