package dev.anvil.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class FunctionStatus extends ResourceStatus {

    /** The function's status as the project reports it: draft, active or error. */
    public String functionStatus;
    /** When the project last deployed it. */
    public String deployedAt;
}
