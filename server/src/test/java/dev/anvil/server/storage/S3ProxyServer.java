package dev.anvil.server.storage;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One S3Proxy per test JVM: a real S3 wire implementation (SigV4 authentication, multipart uploads,
 * browser POST uploads) over an in-memory jclouds blob store, on a free loopback port. Each test
 * server gets its own S3 bucket, so tests never see each other's objects.
 */
final class S3ProxyServer {

    static final String ACCESS_KEY = "anvil-test-access";
    static final String SECRET_KEY = "anvil-test-secret-key-0123456789";
    static final String REGION = "us-east-1";

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3Proxy proxy;
    private static BlobStoreContext context;
    private static S3Client client;

    private S3ProxyServer() {
    }

    static synchronized String endpoint() {
        if (proxy == null) {
            try {
                context = ContextBuilder.newBuilder("transient").overrides(new Properties()).build(BlobStoreContext.class);
                proxy = S3Proxy.builder()
                        .blobStore(context.getBlobStore())
                        .endpoint(URI.create("http://127.0.0.1:0"))
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                        .build();
                proxy.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!"STARTED".equals(proxy.getState())) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
                    }
                    Thread.sleep(10);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(S3ProxyServer::stop));
            } catch (Exception e) {
                throw new IllegalStateException("Could not start S3Proxy: " + e.getMessage(), e);
            }
        }
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** A new, empty S3 bucket. */
    static String newBucket(String purpose) {
        endpoint();
        String name = ("t-" + purpose.replaceAll("[^a-z0-9]", "-") + "-" + BUCKETS.incrementAndGet()).toLowerCase();
        client().createBucket(r -> r.bucket(name));
        return name;
    }

    /** The settings that point a server at a fresh bucket of this S3Proxy. */
    static Map<String, String> settings(String purpose) {
        Map<String, String> settings = new HashMap<>();
        settings.put("AWS_S3_BUCKET", newBucket(purpose));
        settings.put("AWS_REGION", REGION);
        settings.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        settings.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        settings.put("S3_ENDPOINT_URL", endpoint());
        return settings;
    }

    static synchronized S3Client client() {
        endpoint();
        if (client == null) {
            client = S3Client.builder()
                    .region(Region.of(REGION))
                    .endpointOverride(URI.create(endpoint()))
                    .forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                    .httpClient(UrlConnectionHttpClient.create())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .build();
        }
        return client;
    }

    /** Every key in the bucket (staging objects included). */
    static List<String> keys(String bucket) {
        return client().listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key).sorted().toList();
    }

    /** Multipart uploads started but neither completed nor aborted. */
    static int openMultipartUploads(String bucket) {
        return client().listMultipartUploads(r -> r.bucket(bucket)).uploads().size();
    }

    private static synchronized void stop() {
        try {
            if (proxy != null) {
                proxy.stop();
            }
            if (context != null) {
                context.close();
            }
        } catch (Exception ignored) {
            // the JVM is exiting
        }
    }
}
