package dev.anvil.server.storage;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Where object bytes live (local disk or S3) and how uploads and downloads are handed out. */
public final class StorageSettings {

    public static final Setting STORAGE_DIR = Setting.optional("STORAGE_DIR",
            "Local storage root: objects at `STORAGE_DIR/<bucket>/<key>` (default `ANVIL_DATA_DIR/storage`)");
    public static final Setting AWS_S3_BUCKET = Setting.optional("AWS_S3_BUCKET",
            "S3 bucket holding every storage bucket as a folder; setting it selects the s3 provider");
    public static final Setting APP_KEY = Setting.of("APP_KEY", "local",
            "Folder inside AWS_S3_BUCKET for this project: objects at `<APP_KEY>/<bucket>/<key>` (InsForge's layout)");
    public static final Setting AWS_REGION = Setting.of("AWS_REGION", "us-east-2", "Region of AWS_S3_BUCKET");
    public static final Setting AWS_ACCESS_KEY_ID = Setting.optional("AWS_ACCESS_KEY_ID",
            "S3 access key; unset = the AWS default credential chain (instance role, profile, …)");
    public static final Setting AWS_SECRET_ACCESS_KEY = Setting.optional("AWS_SECRET_ACCESS_KEY", "S3 secret key");
    public static final Setting S3_ENDPOINT_URL = Setting.optional("S3_ENDPOINT_URL",
            "S3-compatible endpoint (MinIO, R2, Ceph, …) instead of AWS");
    public static final Setting PROVIDER = Setting.optional("ANVIL_STORAGE_PROVIDER",
            "`local` or `s3` (default: `s3` when AWS_S3_BUCKET is set, else `local`)");
    public static final Setting S3_PATH_STYLE = Setting.optional("ANVIL_S3_PATH_STYLE",
            "Path-style S3 URLs (`endpoint/bucket/key`); default true when S3_ENDPOINT_URL is set, else false");
    public static final Setting S3_PRESIGNED = Setting.of("ANVIL_S3_PRESIGNED", "false",
            "S3 only: hand clients presigned S3 URLs (POST upload + confirm, GET download) instead of proxying the "
                    + "bytes through the server; needs an S3 endpoint the clients can reach");
    public static final Setting MAX_UPLOAD_MB = Setting.optional("ANVIL_STORAGE_MAX_UPLOAD_MB",
            "Overrides the storage config's maxFileSizeMb (1–200) with a fixed upload limit in MiB, up to 2047");
    public static final Setting SIGNING_KEY = Setting.optional("ANVIL_STORAGE_SIGNING_KEY",
            "Key for signed download URLs of private objects; default derived from JWT_SECRET, so replicas agree");

    public static final List<Setting> ALL = List.of(STORAGE_DIR, AWS_S3_BUCKET, APP_KEY, AWS_REGION, AWS_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY, S3_ENDPOINT_URL, PROVIDER, S3_PATH_STYLE, S3_PRESIGNED, MAX_UPLOAD_MB, SIGNING_KEY);

    private StorageSettings() {
    }
}
