package dev.anvil.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProjectStatus extends ResourceStatus {

    /** The project's API base URL (what the SDK's baseUrl is set to). */
    public String url;
    /** The database the server uses (managed: created by the operator). */
    public String database;
    /** The Secret holding the project's generated keys. */
    public String secretName;
    /** Hash of the auth settings last applied through the admin API (re-applied when it changes). */
    public String appliedAuthSettings;
}
