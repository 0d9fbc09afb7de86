/**
 * The custom resources of group {@code anvil.dev}, version {@code v1alpha1}. The CRD YAML in
 * {@code crds/} is generated from these types (schema, defaults, validation, printer columns);
 * edit the types, never the YAML.
 */
package dev.anvil.operator.api;
