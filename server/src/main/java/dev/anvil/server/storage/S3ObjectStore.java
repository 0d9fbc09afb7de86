package dev.anvil.server.storage;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Objects in one S3 bucket ({@code AWS_S3_BUCKET}) under {@code <APP_KEY>/<bucket>/<key>}, InsForge's
 * layout. Uploads stream to a staging key — in one PUT when they fit in {@value #PART_SIZE} bytes,
 * else as a multipart upload of that part size, so memory per upload is one part whatever the file
 * size — and a commit copies the staging object to its key server-side. A killed upload leaves a
 * staging object or an unfinished multipart upload that no reader can see; {@link #sweep} removes
 * those older than {@link #STALE_AFTER} (younger ones may belong to another replica's upload).
 *
 * <p>Checksums are computed only when S3 requires them: S3-compatible servers (MinIO, Ceph,
 * S3Proxy, …) reject the SDK's newer default CRC checksum headers.
 */
final class S3ObjectStore implements ObjectStore {

    private static final System.Logger LOG = System.getLogger(S3ObjectStore.class.getName());
    static final int PART_SIZE = 8 * 1024 * 1024;
    static final Duration STALE_AFTER = Duration.ofHours(6);
    private static final int DELETE_CONCURRENCY = 16;
    private static final String STAGING = ".staging/";

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final String prefix;
    private final Optional<S3Presigning> presigning;

    private S3ObjectStore(S3Client s3, S3Presigner presigner, String bucket, String appKey, AwsCredentialsProvider credentials,
                          String region, boolean presigned) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.prefix = appKey.isEmpty() ? "" : appKey + "/";
        this.presigning = presigned ? Optional.of(new S3Presigning(s3, presigner, credentials, region, bucket, this::objectKey))
                : Optional.empty();
    }

    /** Connection settings of the S3 bucket. */
    record Connection(String bucket, String appKey, String region, Optional<String> accessKeyId,
                      Optional<String> secretAccessKey, Optional<String> endpoint, boolean pathStyle, boolean presigned) {
    }

    static S3ObjectStore connect(Connection c) {
        AwsCredentialsProvider credentials = c.accessKeyId().isPresent() && c.secretAccessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKeyId().get(), c.secretAccessKey().get()))
                : DefaultCredentialsProvider.builder().build();
        Region region = Region.of(c.region());
        var builder = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2))
                        .build())
                .forcePathStyle(c.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presignerBuilder = S3Presigner.builder()
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(c.pathStyle()).build());
        c.endpoint().map(URI::create).ifPresent(endpoint -> {
            builder.endpointOverride(endpoint);
            presignerBuilder.endpointOverride(endpoint);
        });
        return new S3ObjectStore(builder.build(), presignerBuilder.build(), c.bucket(), c.appKey(), credentials,
                c.region(), c.presigned());
    }

    private record StagedObject(String s3Key, long size, Optional<String> etag) implements Staged {
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public Optional<S3Presigning> presigning() {
        return presigning;
    }

    String objectKey(BucketName bucketName, ObjectKey key) {
        return prefix + bucketName.value() + "/" + key.value();
    }

    @Override
    public Staged stage(InputStream content) throws IOException {
        String stagingKey = prefix + STAGING + UUID.randomUUID();
        byte[] part = new byte[PART_SIZE];
        int length = content.readNBytes(part, 0, PART_SIZE);
        try {
            if (length < PART_SIZE) {
                var response = s3.putObject(r -> r.bucket(bucket).key(stagingKey),
                        RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, length), length));
                return new StagedObject(stagingKey, length, Optional.ofNullable(response.eTag()));
            }
        } catch (SdkException e) {
            throw new IOException("S3 upload failed: " + e.getMessage(), e);
        }
        return stageMultipart(stagingKey, content, part, length);
    }

    private Staged stageMultipart(String stagingKey, InputStream content, byte[] part, int firstLength) throws IOException {
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(stagingKey)).uploadId();
        } catch (SdkException e) {
            throw new IOException("S3 upload failed: " + e.getMessage(), e);
        }
        List<CompletedPart> parts = new ArrayList<>();
        long size = 0;
        try {
            int length = firstLength;
            int number = 1;
            while (length > 0) {
                int partNumber = number;
                var uploaded = s3.uploadPart(r -> r.bucket(bucket).key(stagingKey).uploadId(uploadId).partNumber(partNumber),
                        RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, length), length));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(uploaded.eTag()).build());
                size += length;
                number++;
                length = content.readNBytes(part, 0, PART_SIZE);
            }
            var completed = s3.completeMultipartUpload(r -> r.bucket(bucket).key(stagingKey).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            return new StagedObject(stagingKey, size, Optional.ofNullable(completed.eTag()));
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(r -> r.bucket(bucket).key(stagingKey).uploadId(uploadId));
            } catch (SdkException abort) {
                LOG.log(Level.WARNING, "Could not abort S3 multipart upload " + uploadId + ": " + abort.getMessage());
            }
            if (e instanceof SdkException sdk) {
                throw new IOException("S3 upload failed: " + sdk.getMessage(), sdk);
            }
            throw e;
        }
    }

    @Override
    public void commit(Staged staged, BucketName bucketName, ObjectKey key, String contentType) throws IOException {
        StagedObject object = (StagedObject) staged;
        try {
            // Stored type and disposition also protect presigned downloads, which never pass through us.
            s3.copyObject(r -> {
                r.sourceBucket(bucket).sourceKey(object.s3Key())
                        .destinationBucket(bucket).destinationKey(objectKey(bucketName, key))
                        .metadataDirective(MetadataDirective.REPLACE)
                        .contentType(contentType);
                if (ContentTypes.needsAttachment(contentType)) {
                    r.contentDisposition("attachment");
                }
            });
            s3.deleteObject(r -> r.bucket(bucket).key(object.s3Key()));
        } catch (SdkException e) {
            throw new IOException("S3 commit failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void discard(Staged staged) {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(((StagedObject) staged).s3Key()));
        } catch (SdkException e) {
            LOG.log(Level.WARNING, "Could not delete staged S3 object: " + e.getMessage());
        }
    }

    @Override
    public Optional<Content> open(BucketName bucketName, ObjectKey key, Optional<ByteRange> range) throws IOException {
        try {
            ResponseInputStream<GetObjectResponse> stream = s3.getObject(r -> {
                r.bucket(bucket).key(objectKey(bucketName, key));
                range.ifPresent(value -> r.range(value.header()));
            });
            GetObjectResponse response = stream.response();
            long length = response.contentLength();
            Optional<ByteRange.Served> served = Optional.ofNullable(response.contentRange()).flatMap(S3ObjectStore::parseContentRange);
            long size = served.map(ByteRange.Served::size).orElse(length);
            return Optional.of(new Content(new AbortUnlessDrained(stream), size, range.isPresent() ? served : Optional.empty()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            if (e.statusCode() == 416) {
                throw new RangeNotSatisfiableException(size(bucketName, key).orElse(0L));
            }
            throw new IOException("S3 download failed: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("S3 download failed: " + e.getMessage(), e);
        }
    }

    /**
     * Closing an S3 response stream reads what is left so the connection can be reused; when a
     * client hangs up half-way through a large download that would pull the rest from S3 for
     * nothing, so an unfinished stream is aborted instead.
     */
    private static final class AbortUnlessDrained extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private boolean drained;

        AbortUnlessDrained(ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            drained |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            int n = super.read(target, offset, length);
            drained |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!drained) {
                response.abort();
            }
            super.close();
        }
    }

    /** {@code bytes 0-9/100} */
    private static Optional<ByteRange.Served> parseContentRange(String header) {
        try {
            String spec = header.trim().substring("bytes ".length());
            int dash = spec.indexOf('-');
            int slash = spec.indexOf('/');
            return Optional.of(new ByteRange.Served(Long.parseLong(spec.substring(0, dash)),
                    Long.parseLong(spec.substring(dash + 1, slash)), Long.parseLong(spec.substring(slash + 1))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Long> size(BucketName bucketName, ObjectKey key) throws IOException {
        try {
            return Optional.of(s3.headObject(r -> r.bucket(bucket).key(objectKey(bucketName, key))).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("S3 request failed: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("S3 request failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(BucketName bucketName, ObjectKey key) throws IOException {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(objectKey(bucketName, key)));
        } catch (SdkException e) {
            throw new IOException("S3 delete failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void createBucket(BucketName bucketName) throws IOException {
        // Storage buckets are folders of the one S3 bucket; clear what a crashed deletion may have left.
        deleteBucket(bucketName);
    }

    @Override
    public void deleteBucket(BucketName bucketName) throws IOException {
        deletePrefix(prefix + bucketName.value() + "/", Instant.MAX);
    }

    /**
     * Deletes the objects under {@code keyPrefix} last modified before {@code before}, several at a
     * time. One DELETE per object rather than DeleteObjects: that call requires a body checksum, and
     * S3-compatible servers disagree on which checksum headers they accept.
     */
    private void deletePrefix(String keyPrefix, Instant before) throws IOException {
        try (ExecutorService deleters = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore inFlight = new Semaphore(DELETE_CONCURRENCY);
            List<Future<?>> deletions = new ArrayList<>();
            for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(keyPrefix)).contents()) {
                if (object.lastModified() != null && !object.lastModified().isBefore(before)) {
                    continue;
                }
                inFlight.acquireUninterruptibly();
                deletions.add(deleters.submit(() -> {
                    try {
                        s3.deleteObject(r -> r.bucket(bucket).key(object.key()));
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (Future<?> deletion : deletions) {
                deletion.get();
            }
        } catch (SdkException e) {
            throw new IOException("S3 delete failed: " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new IOException("S3 delete failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while deleting S3 objects", e);
        }
    }

    @Override
    public void sweep() {
        Instant staleBefore = Instant.now().minus(STALE_AFTER);
        try {
            deletePrefix(prefix + STAGING, staleBefore);
            for (MultipartUpload upload : s3.listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(prefix + STAGING)).uploads()) {
                if (upload.initiated() != null && upload.initiated().isBefore(staleBefore)) {
                    s3.abortMultipartUpload(r -> r.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
                }
            }
        } catch (IOException | SdkException e) {
            LOG.log(Level.WARNING, "Could not sweep stale S3 uploads: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
