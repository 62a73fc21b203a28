namespace Skein.Manifests.Parsing;

/// <summary>
/// The JSON Schema (draft-07) of one manifest document: structure and types. Objects refuse unknown keys so a typo is
/// visible, but the parser reports those as warnings (and keys starting with <c>x-</c> not at all). Ranges and
/// cross references are checked by <see cref="ManifestRules"/>, which words them like the version API does.
/// </summary>
public static class ManifestSchema
{
    public const string Json = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "title": "Skein / Phrony manifest",
          "type": "object",
          "additionalProperties": false,
          "required": ["kind", "version"],
          "properties": {
            "kind": { "type": "string", "enum": ["phrony.manifest", "phrony.workspace.manifest"] },
            "version": { "type": "integer", "enum": [1] },
            "metadata": {
              "type": "object", "additionalProperties": false,
              "properties": { "label": { "type": ["string", "null"] }, "exportedAt": { "type": ["string", "null"] } }
            },
            "inputs": {
              "type": "array",
              "items": {
                "type": "object", "additionalProperties": false, "required": ["key"],
                "properties": {
                  "key": { "type": "string", "minLength": 1 },
                  "type": { "type": "string", "enum": ["string", "number", "boolean", "secret"] },
                  "description": { "type": ["string", "null"] }
                }
              }
            },
            "llmProviders": {
              "type": "array",
              "items": {
                "type": "object", "additionalProperties": false, "required": ["name", "type"],
                "properties": {
                  "name": { "type": "string", "minLength": 1, "maxLength": 200 },
                  "type": { "type": "string", "enum": ["scripted", "openai", "anthropic"] },
                  "baseUrl": { "type": ["string", "null"] },
                  "apiKey": { "type": ["string", "null"] },
                  "prices": {
                    "type": ["object", "null"], "maxProperties": 200,
                    "additionalProperties": {
                      "type": "object", "additionalProperties": false, "required": ["inputPerMTok", "outputPerMTok"],
                      "properties": {
                        "inputPerMTok": { "type": "number", "minimum": 0, "maximum": 100000 },
                        "outputPerMTok": { "type": "number", "minimum": 0, "maximum": 100000 },
                        "cachedInputPerMTok": { "type": ["number", "null"], "minimum": 0, "maximum": 100000 }
                      }
                    }
                  }
                }
              }
            },
            "services": {
              "type": "array",
              "items": {
                "type": "object", "additionalProperties": false, "required": ["name"],
                "properties": {
                  "manifestKey": { "type": ["string", "null"] },
                  "name": { "type": "string", "minLength": 1, "maxLength": 200 },
                  "type": { "type": "string", "enum": ["http", "built_in"] },
                  "config": {
                    "type": ["object", "null"], "additionalProperties": false,
                    "properties": {
                      "baseUrl": { "type": ["string", "null"] },
                      "auth": {
                        "type": ["object", "null"], "additionalProperties": false, "required": ["type"],
                        "properties": {
                          "type": { "type": "string", "enum": ["none", "bearer", "header"] },
                          "headerName": { "type": ["string", "null"] },
                          "secret": { "type": ["string", "null"] }
                        }
                      }
                    }
                  },
                  "operations": {
                    "type": "array",
                    "items": {
                      "type": "object", "additionalProperties": false, "required": ["name"],
                      "properties": {
                        "manifestKey": { "type": ["string", "null"] },
                        "name": { "type": "string", "minLength": 1, "maxLength": 200 },
                        "description": { "type": ["string", "null"] },
                        "requireApproval": { "type": "boolean" },
                        "configuration": {
                          "type": ["object", "null"], "additionalProperties": false,
                          "properties": {
                            "method": { "type": "string" },
                            "path": { "type": "string" },
                            "argumentsSchema": { "type": ["object", "null"] },
                            "idempotent": { "type": "boolean" },
                            "timeoutSec": { "type": ["integer", "null"] },
                            "approvalTimeoutSec": { "type": ["integer", "null"] }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "agents": {
              "type": "array",
              "items": {
                "type": "object", "additionalProperties": false,
                "required": ["manifestKey", "name", "executionMode", "llmProviderName"],
                "properties": {
                  "manifestKey": { "type": "string", "minLength": 1 },
                  "name": { "type": "string", "minLength": 1, "maxLength": 200 },
                  "executionMode": { "type": "string", "enum": ["request", "hitl", "sub_agent"] },
                  "llmProviderName": { "type": "string", "minLength": 1 }
                }
              }
            },
            "versions": {
              "type": "array",
              "items": {
                "type": "object", "additionalProperties": false,
                "required": ["agentManifestKey", "versionLabel", "llmModel"],
                "properties": {
                  "agentManifestKey": { "type": "string", "minLength": 1 },
                  "status": { "type": "string", "enum": ["testing", "deployed"] },
                  "versionLabel": { "type": "string", "minLength": 1, "maxLength": 64 },
                  "llmModel": { "type": "string" },
                  "description": { "type": ["string", "null"] },
                  "instructions": { "type": ["string", "null"] },
                  "temperature": { "type": ["number", "null"] },
                  "topP": { "type": ["number", "null"] },
                  "topK": { "type": ["integer", "null"] },
                  "maxIterations": { "type": ["integer", "null"] },
                  "maxToolCalls": { "type": ["integer", "null"] },
                  "maxTokensPerRun": { "type": ["integer", "null"] },
                  "maxSessionTokens": { "type": ["integer", "null"] },
                  "maxSessionDurationSec": { "type": ["integer", "null"] },
                  "inputSchema": { "type": ["object", "null"] },
                  "outputSchema": { "type": ["object", "null"] },
                  "allowedOperations": {
                    "type": "array",
                    "items": {
                      "type": "object", "additionalProperties": false, "required": ["serviceName", "operationName"],
                      "properties": {
                        "serviceName": { "type": "string", "minLength": 1 },
                        "operationName": { "type": "string", "minLength": 1 }
                      }
                    }
                  },
                  "conversation": { "type": ["string", "null"], "enum": ["single", "multi_turn", null] },
                  "conversationIdleTimeoutSec": { "type": ["integer", "null"] },
                  "midRunMessages": { "type": ["string", "null"], "enum": ["enqueue", "interrupt", "reject", null] },
                  "guardRules": { "type": ["array", "null"] },
                  "canExecuteSubAgents": { "type": ["boolean", "null"] },
                  "subAgentExecutionModel": { "type": ["string", "null"], "enum": ["sequential", "parallel", null] },
                  "allowedSubAgents": { "type": "array", "items": { "type": "string", "minLength": 1 } },
                  "x-skein": {
                    "type": "object", "additionalProperties": false,
                    "properties": { "script": { "type": ["array", "null"], "items": { "type": "object" } } }
                  }
                }
              }
            },
            "triggers": {
              "type": "array",
              "items": {
                "type": "object", "additionalProperties": false, "required": ["agentManifestKey", "name", "type"],
                "properties": {
                  "agentManifestKey": { "type": "string", "minLength": 1 },
                  "name": { "type": "string", "minLength": 1, "maxLength": 200 },
                  "type": { "type": "string", "enum": ["api", "scheduled", "event"] },
                  "active": { "type": "boolean" },
                  "rpmLimit": { "type": ["integer", "null"] },
                  "maxConcurrentRuns": { "type": ["integer", "null"] },
                  "maxInputTokens": { "type": ["integer", "null"] },
                  "exposeStepTimelineToApi": { "type": ["boolean", "null"] },
                  "ipAllowlist": { "type": ["array", "null"], "items": { "type": "string" } },
                  "cron": { "type": ["string", "null"] },
                  "timeZone": { "type": ["string", "null"] },
                  "input": { "type": ["object", "null"] },
                  "signingSecret": { "type": ["string", "null"] },
                  "inputPath": { "type": ["string", "null"] }
                }
              }
            }
          }
        }
        """;
}
