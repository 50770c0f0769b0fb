/**
 * Generated from Vidgate's OpenAPI document (GET /openapi.json) by scripts/generate-client-types.ts.
 * Do not edit: run `npm run gen:client-types`.
 */
/* eslint-disable */
export interface paths {
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The web playground */
        get: operations["getPlayground"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A browsable reference of this document */
        get: operations["getDocs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (admin key) */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The routes to the upstreams, their breakers and counts (never credentials) */
        get: operations["listChannels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys (never secrets) */
        get: operations["listKeys"];
        put?: never;
        /** Create an API key */
        post: operations["createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a key */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        /** Set a key's balance, limits or default webhook */
        patch: operations["updateKey"];
        trace?: never;
    };
    "/v1/admin/tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Any key's task, with its owner and the channel that served it */
        get: operations["getAnyTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Spend of every key (or one) by model and day */
        get: operations["getAllUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{id}/video.mp4": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stored video behind a signed URL (what video_url points at); supports Range */
        get: operations["downloadFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List models */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a model with its request rules */
        get: operations["getModel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}/pricing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A model's prices */
        get: operations["getModelPricing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pricing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prices of every model */
        get: operations["getPricing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the calling key's tasks, newest first */
        get: operations["listTasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a task (optionally waiting for a change)
         * @description Served from the store, never from the upstream. `wait=N` (long poll) holds the request until the task changes status or progress, ends, or N seconds pass; a key revoked while it waits gets 401 invalid_api_key. Answers carry an ETag; If-None-Match with the current one answers 304.
         */
        get: operations["getTask"];
        put?: never;
        post?: never;
        /** Cancel a task */
        delete: operations["cancelTask"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server-Sent Events of a task
         * @description `event: task`, `data:` the task (as GET /v1/tasks/{id}) at every change of status or progress, `id:` a resume point for Last-Event-ID; heartbeat comments; the stream closes after the terminal event. If the key is revoked while the stream is open: `event: error` with the 401 invalid_api_key error envelope as `data:`, then the stream closes.
         */
        get: operations["streamTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/upstream-callbacks/{channel}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A provider's project webhook (OpenAI video.completed / video.failed)
         * @description Not for clients: set it as the OpenAI project's webhook URL. Verified with OPENAI_WEBHOOK_SECRET (Standard Webhooks: webhook-id, webhook-timestamp within 5 minutes, webhook-signature); data.id names the video. Events for videos this gateway did not make are acknowledged and ignored.
         */
        post: operations["receiveProjectWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/upstream-callbacks/{channel}/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Where a provider calls back about a job (VIDGATE_CALLBACK_BASE_URL)
         * @description Not for clients: the URL the gateway sends with a create (Kling, Vidu, MiniMax, Seedance `callback_url`). No API key: the per-task token authenticates it, and Vidu's signature is checked. A callback only makes the task's poll due now; its body is never used as the result. Unknown tokens answer 404, bad signatures 401; genuine, duplicate and late callbacks 200. MiniMax's {"challenge"} is echoed. Bodies over 64 KiB answer 413.
         */
        post: operations["receiveUpstreamCallback"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key's settled spend by model and UTC day */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/videos": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the key's videos */
        get: operations["openaiListVideos"];
        put?: never;
        /** Create a video (OpenAI Videos API shape) */
        post: operations["openaiCreateVideo"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/videos/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve a video */
        get: operations["openaiRetrieveVideo"];
        put?: never;
        post?: never;
        /** Delete a video (cancelling it first if it still runs): its file goes and the OpenAI routes answer 404 for it; the task record stays on the TokenLab routes, marked video_expired */
        delete: operations["openaiDeleteVideo"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/videos/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the video (or its thumbnail) */
        get: operations["openaiDownloadVideoContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/videos/generations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a video task
         * @description Validates against the model's rules, reserves the estimate and stores the task; answers at once. Send `Idempotency-Key` to make retries safe.
         */
        post: operations["createVideo"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/videos/generations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a task (legacy alias of GET /v1/tasks/{id}) */
        get: operations["getVideoTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/default": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key's default callback URL */
        get: operations["getDefaultWebhook"];
        /** Set the default callback URL */
        put: operations["setDefaultWebhook"];
        post?: never;
        /** Clear the default callback URL */
        delete: operations["clearDefaultWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key's webhook delivery log */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/deliveries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One delivery with every attempt */
        get: operations["getWebhookDelivery"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/deliveries/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a delivery again (same webhook-id) */
        post: operations["redeliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key's whsec_ signing secret */
        get: operations["getWebhookSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the signing secret */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A task as its owner sees it, plus who owns it and which channel served it. */
        AdminTask: components["schemas"]["Task"] & {
            channel: {
                id: string;
                /** @description Null when the channel is no longer configured. */
                protocol: string | null;
                provider: string;
            } | null;
            owner_key_id: string;
            provider: string;
            /** @description The upstream's own job id. */
            upstream_id: string | null;
        };
        ApiError: {
            error: {
                allowed_aspect_ratios?: string[];
                allowed_durations?: string[];
                allowed_resolutions?: string[];
                alternatives?: ({
                    id: string;
                    status: string;
                    tags: string[];
                } & {
                    [key: string]: unknown;
                })[];
                balance_usd?: number;
                /** @description Error code */
                code?: string;
                did_you_mean?: string;
                estimated_cost_usd?: number;
                hint?: string;
                /** @description Error message */
                message: string;
                /** @description Model associated with the error */
                model?: string;
                optional_selectors?: string[];
                /** @description Parameter that caused the error */
                param?: string;
                prompt_max_characters?: number;
                recommended_request?: {
                    [key: string]: unknown;
                };
                request_endpoint?: string | null;
                request_shape_mode?: string | null;
                required_selectors?: string[];
                retry_after?: number;
                retryable?: boolean;
                status_mode?: string | null;
                suggestions?: ({
                    id: string;
                } & {
                    [key: string]: unknown;
                })[];
                supported_operations?: string[];
                supported_parameters?: string[];
                /**
                 * @description Error type
                 * @enum {string}
                 */
                type: "unauthorized" | "invalid_api_key" | "expired_api_key" | "permission_error" | "insufficient_balance" | "quota_exceeded" | "invalid_request_error" | "model_not_found" | "context_length_exceeded" | "unsupported_tool_choice" | "rate_limit_exceeded" | "server_error" | "upstream_error" | "all_channels_failed" | "timeout_error" | "not_found_error" | "no_contract_compatible_route" | "request_shape_channel_mismatch" | "upstream_contract_mismatch" | "platform_normalization_error" | "async_task_not_found" | "async_task_mapping_invalid";
            } & {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        ApiKey: {
            admin: boolean;
            balance_usd: number | null;
            created: number;
            id: string;
            name: string;
            /** @constant */
            object: "api_key";
            /** @description First characters of the secret, to recognise a key. */
            prefix: string;
            reserved_usd: number;
            revoked: number | null;
            rpm_limit: number | null;
            spend_limit_usd: number | null;
            spent_usd: number;
            webhook_url: string | null;
        };
        ApiKeyCreated: components["schemas"]["ApiKey"] & {
            /** @description The secret (sk-…), shown only in this answer. */
            key: string;
        };
        ApiKeyDeleted: {
            /** @constant */
            deleted: true;
            id: string;
            /** @constant */
            object: "api_key";
        };
        ApiKeyList: {
            data: components["schemas"]["ApiKey"][];
            /** @constant */
            object: "list";
        };
        Channel: {
            /** @description Scheme, host and path of the upstream (never credentials). */
            base_url: string | null;
            /** @description Its cap on jobs in flight. */
            concurrency: number | null;
            /** @description Of those, creates it refused or failed. */
            failures: number;
            /** @description Names the channel: its protocol for an environment channel (`openai`, `kling-jwt`; `openai-2` in a key pool), its own id from VIDGATE_CONFIG. */
            id: string;
            /** @description Jobs in flight upstream through it, across every node. */
            in_flight: number;
            /** @description Catalog model ids it serves. */
            models: string[];
            /** @description Higher is tried first. */
            priority: number;
            /** @description `gemini-api`, `vertex-ai`, `openai`, `azure-openai`, `byteplus-ark`, `volcengine-ark`, `kling-api-key`, `kling-jwt`, `minimax`, `dashscope`, `vidu`, `xai`, `topaz`. */
            protocol: string;
            /** @enum {string} */
            provider: "google" | "openai" | "kling" | "seedance" | "minimax" | "dashscope" | "vidu" | "xai" | "topaz";
            /** @description Its cap on creates per minute. */
            rpm: number | null;
            /**
             * @description Its circuit breaker.
             * @enum {string}
             */
            state: "closed" | "open" | "half_open";
            /** @description Creates sent through it since this node started. */
            submissions: number;
            /** @description Models it sends under an upstream id of its own. */
            upstream_models: {
                [key: string]: string;
            };
            /** @description Share of the load among channels of equal priority. */
            weight: number;
        };
        ChannelList: {
            data: components["schemas"]["Channel"][];
            /** @constant */
            object: "list";
        };
        /** @description Fields needed to shortlist a model before calling get_model or get_model_pricing. */
        CompactModelListItem: {
            capabilities: string[];
            category: string;
            /** @description Model identifier */
            id: string;
            latest: boolean;
            max_input_tokens: number | null;
            max_output_tokens: number | null;
            pricing: {
                /** @enum {string} */
                currency: "USD";
                has_complex_pricing: boolean;
                input_per_1m?: string;
                /** @description Maximum TokenLab price for a structured pricing model. */
                max_price?: string;
                /** @description Minimum TokenLab price for a structured pricing model. */
                min_price?: string;
                output_per_1m?: string;
                per_request?: string;
                unit: string;
            };
            /** @description Public model provider */
            provider: string;
            recommendation?: {
                preferred_rank: number | null;
                sample_count_24h: number;
                /** @enum {string} */
                status: "ready" | "insufficient_samples";
                success_rate_24h: number | null;
            };
            request_endpoint?: string;
            /** @description Public model lifecycle stage. */
            status: string;
            supported_operations?: string[];
        };
        /** @description Compact model-selection response used by TokenLab MCP and other agent integrations. */
        CompactModelsResponse: {
            count: number;
            data: components["schemas"]["CompactModelListItem"][];
            /** @enum {string} */
            object: "list";
            /** @enum {string} */
            view: "compact";
        };
        Health: {
            /** @constant */
            status: "ok";
        };
        Model: {
            /** @description Unix timestamp */
            created: number;
            /**
             * @description Model identifier
             * @example gpt-4o
             */
            id: string;
            /** @enum {string} */
            object: "model";
            /**
             * @description Model provider
             * @example openai
             */
            owned_by: string;
            tokenlab: components["schemas"]["ModelTokenLabExtension"];
        };
        ModelListItem: {
            /** @description Unix timestamp */
            created: number;
            /**
             * @description Model identifier
             * @example gpt-4o
             */
            id: string;
            /** @enum {string} */
            object: "model";
            /**
             * @description Model provider
             * @example openai
             */
            owned_by: string;
            tokenlab: components["schemas"]["ModelListTokenLabExtension"];
        };
        ModelListRequestFormatSummary: {
            public_operations?: string[];
            request_endpoint?: string | null;
            request_endpoint_by_operation?: {
                [key: string]: string | null;
            };
        } | null;
        /** @description TokenLab discovery fields for the list route. Detail-only metadata such as capability flags, pricing provenance, full model details, and empty recommendation snapshots are omitted. */
        ModelListTokenLabExtension: {
            agent_preferences?: {
                [key: string]: unknown;
            };
            aliases: string[];
            /** @description Display badges derived from lifecycle and commercial metadata. */
            badges: {
                /** @enum {string} */
                key: "free" | "latest" | "preview" | "deprecated" | "retired";
                priority: number;
                /** @enum {string} */
                tone: "green" | "blue" | "amber" | "red" | "slate";
                tooltip: {
                    key: string;
                    values: {
                        [key: string]: string;
                    };
                };
            }[];
            cache_pricing?: {
                [key: string]: unknown;
            } | null;
            capabilities: string[];
            category: string;
            commercial: {
                /**
                 * @description Reason a model is free to users, if applicable.
                 * @enum {string|null}
                 */
                free_reason: "platform" | "promotion" | null;
                /**
                 * Format: date-time
                 * @description End time for a temporary free policy, if applicable.
                 */
                free_until: string | null;
                /**
                 * @description User billing policy for this model.
                 * @enum {string}
                 */
                user_charge_policy: "paid" | "free";
            };
            has_complex_pricing: boolean;
            lifecycle: {
                /**
                 * Format: date-time
                 * @description Official deprecation date when available.
                 */
                deprecated_at: string | null;
                /** @description Whether the model should receive a latest badge. */
                latest: boolean;
                /**
                 * @description How the latest badge was derived.
                 * @enum {string}
                 */
                latest_source: "auto" | "override" | "none";
                /** @description Window used for automatic latest badges. */
                latest_window_days: number | null;
                /** @description Short lifecycle reason or provider note. */
                reason: string | null;
                /**
                 * Format: date-time
                 * @description Official release date when available.
                 */
                released_at: string | null;
                /** @description Recommended replacement model when available. */
                replacement_model: string | null;
                /**
                 * Format: date-time
                 * @description Official retirement date when the model is no longer public-discoverable.
                 */
                retired_at: string | null;
                /**
                 * @description Provider lifecycle stage for public discovery and display.
                 * @enum {string}
                 */
                stage: "active" | "preview" | "deprecated" | "retired";
                /**
                 * Format: date-time
                 * @description Future sunset date for deprecated models.
                 */
                sunset_at: string | null;
            };
            max_input_tokens: number | null;
            max_output_tokens: number | null;
            pricing: {
                [key: string]: unknown;
            };
            pricing_summary?: {
                [key: string]: unknown;
            } | null;
            pricing_unit: string;
            providers?: string[];
            request_format_summary?: components["schemas"]["ModelListRequestFormatSummary"];
        };
        ModelPricingResponse: {
            has_complex_pricing?: boolean;
            model?: string;
            pricing_details?: {
                [key: string]: unknown;
            } | null;
            pricing_provenance?: {
                [key: string]: unknown;
            } | null;
            pricing_summary?: {
                [key: string]: unknown;
            } | null;
            pricing_unit?: string;
            scalar_pricing?: {
                [key: string]: unknown;
            };
            supported_operations?: string[];
        } & {
            [key: string]: unknown;
        };
        ModelsResponse: {
            data: components["schemas"]["ModelListItem"][];
            /** @enum {string} */
            object: "list";
        };
        /** @description TokenLab extension fields for the detail route, including pricing, capabilities, recommendation metadata, and detailed non-chat request metadata. */
        ModelTokenLabExtension: {
            /** @description Request formats accepted by this model. */
            accepted_request_formats: ("openai_chat_completions" | "openai_responses" | "anthropic_messages" | "gemini_generate_content")[];
            aliases?: string[];
            /** @description Display badges derived from lifecycle and commercial metadata. */
            badges: {
                /** @enum {string} */
                key: "free" | "latest" | "preview" | "deprecated" | "retired";
                priority: number;
                /** @enum {string} */
                tone: "green" | "blue" | "amber" | "red" | "slate";
                tooltip: {
                    key: string;
                    values: {
                        [key: string]: string;
                    };
                };
            }[];
            cache_pricing?: {
                [key: string]: unknown;
            } | null;
            capabilities?: string[];
            category?: string;
            commercial: {
                /**
                 * @description Reason a model is free to users, if applicable.
                 * @enum {string|null}
                 */
                free_reason: "platform" | "promotion" | null;
                /**
                 * Format: date-time
                 * @description End time for a temporary free policy, if applicable.
                 */
                free_until: string | null;
                /**
                 * @description User billing policy for this model.
                 * @enum {string}
                 */
                user_charge_policy: "paid" | "free";
            };
            has_complex_pricing?: boolean;
            lifecycle: {
                /**
                 * Format: date-time
                 * @description Official deprecation date when available.
                 */
                deprecated_at: string | null;
                /** @description Whether the model should receive a latest badge. */
                latest: boolean;
                /**
                 * @description How the latest badge was derived.
                 * @enum {string}
                 */
                latest_source: "auto" | "override" | "none";
                /** @description Window used for automatic latest badges. */
                latest_window_days: number | null;
                /** @description Short lifecycle reason or provider note. */
                reason: string | null;
                /**
                 * Format: date-time
                 * @description Official release date when available.
                 */
                released_at: string | null;
                /** @description Recommended replacement model when available. */
                replacement_model: string | null;
                /**
                 * Format: date-time
                 * @description Official retirement date when the model is no longer public-discoverable.
                 */
                retired_at: string | null;
                /**
                 * @description Provider lifecycle stage for public discovery and display.
                 * @enum {string}
                 */
                stage: "active" | "preview" | "deprecated" | "retired";
                /**
                 * Format: date-time
                 * @description Future sunset date for deprecated models.
                 */
                sunset_at: string | null;
            };
            max_input_tokens?: number | null;
            max_output_tokens?: number | null;
            pricing?: {
                [key: string]: unknown;
            };
            pricing_provenance?: {
                [key: string]: unknown;
            } | null;
            pricing_summary?: {
                [key: string]: unknown;
            } | null;
            pricing_unit?: string;
            providers?: string[];
            request_format_details?: components["schemas"]["NonChatRequestFormatDetails"];
            request_format_summary?: components["schemas"]["NonChatRequestFormatSummary"];
            supported_operations?: string[];
        } & {
            [key: string]: unknown;
        };
        NonChatOperationConstraint: {
            allowed_aspect_ratios?: string[];
            allowed_durations?: string[];
            allowed_resolutions?: string[];
            documented_inputs?: string[];
            notes?: string[];
            operation?: string;
            optional_selectors?: string[];
            request_endpoint?: string | null;
            request_shape_mode?: string | null;
            required_selectors?: string[];
            status_mode?: string | null;
            supported_parameters?: string[];
        };
        NonChatRequestFormatDetails: components["schemas"]["NonChatRequestFormatSummary"] & (({
            documented_inputs?: string[];
            documented_outputs?: string[];
            fallback_status_endpoints?: string[];
            notes?: string[];
            recommended_request?: {
                [key: string]: unknown;
            } | null;
        } & {
            [key: string]: unknown;
        }) | null);
        NonChatRequestFormatSummary: ({
            aspect_ratios?: string[];
            aspect_ratios_label?: string | null;
            durations?: string[];
            durations_label?: string | null;
            feature_flags?: {
                [key: string]: boolean;
            };
            operation_constraints?: components["schemas"]["NonChatOperationConstraint"][];
            optional_selectors?: string[];
            output_formats?: string[];
            public_operations?: string[];
            recommended_request_summary?: {
                [key: string]: unknown;
            } | null;
            request_endpoint?: string | null;
            request_endpoint_by_operation?: {
                [key: string]: string | null;
            };
            request_shape_mode?: string | null;
            required_selectors?: string[];
            resolutions?: string[];
            resolutions_label?: string | null;
            service_limits?: {
                concurrency?: number | null;
                offline_inference?: boolean;
                offline_tpd?: string | null;
                online_rpm?: number | null;
                prompt_max_characters?: number | null;
            } | null;
            status_mode?: string | null;
            supported_parameters?: string[];
        } & {
            [key: string]: unknown;
        }) | null;
        OpenAIVideo: {
            completed_at: number | null;
            created_at: number;
            error: {
                code: string;
                message: string;
            } | null;
            /** @description Completed videos: when the stored file is deleted (completion + retention); once it is gone, when it went (a past time). Null before completion. */
            expires_at: number | null;
            id: string;
            model: string;
            /** @constant */
            object: "video";
            progress: number;
            prompt?: string | null;
            remixed_from_video_id?: string | null;
            /** @description Duration in seconds, as a string (OpenAI shape). */
            seconds: string;
            /** @description WIDTHxHEIGHT. */
            size: string;
            /** @enum {string} */
            status: "queued" | "in_progress" | "completed" | "failed";
        };
        OpenAIVideoCreate: {
            /**
             * Format: binary
             * @description Multipart only: an image (or video) file that conditions the generation.
             */
            input_reference?: string;
            /** @description Any catalog model (default sora-2). */
            model?: string;
            prompt: string;
            /** @description Duration in seconds ("4", "8", "12", …), within what the model allows. */
            seconds?: string;
            /** @description WIDTHxHEIGHT, e.g. 1280x720; mapped onto the model's aspect ratio and resolution. Omitted: 720x1280 (OpenAI's default) for Sora models, the model's own default shape for the others. */
            size?: string;
        };
        OpenAIVideoDeleted: {
            deleted: boolean;
            id: string;
            /** @constant */
            object: "video.deleted";
        };
        OpenAIVideoList: {
            data: components["schemas"]["OpenAIVideo"][];
            first_id?: string | null;
            has_more?: boolean;
            last_id?: string | null;
            /** @constant */
            object: "list";
        };
        PricingEntry: {
            aliases: string[];
            capabilities: string[];
            has_complex_pricing?: boolean;
            input_per_1m_tokens?: string | null;
            is_lock_price: boolean;
            lock_price_per_request?: string | null;
            model: string;
            output_per_1m_tokens?: string | null;
            pricing_provenance?: {
                [key: string]: unknown;
            } | null;
            pricing_summary?: {
                [key: string]: unknown;
            } | null;
            provider: string;
            supported_operations?: string[];
        } & {
            [key: string]: unknown;
        };
        PricingResponse: {
            /** @enum {string} */
            currency: "USD";
            data: components["schemas"]["PricingEntry"][];
            /** @enum {string} */
            object: "pricing";
            /** Format: date-time */
            updated_at: string;
        } & {
            [key: string]: unknown;
        };
        /** @description A task as GET /v1/tasks/{id} shows it: TokenLab's VideoTaskResponse with Vidgate's extra fields. */
        Task: components["schemas"]["VideoTaskResponse"] & {
            cancelled?: boolean;
            created: number;
            error?: {
                code: string;
                message: string;
            };
            /** @description Completed tasks: whether the stored video has an audio track. */
            has_audio?: boolean;
            id: string;
            model: string;
            /** @constant */
            object: "video.generation.task";
            /** @description The operation the task runs (text-to-video, image-to-video, …). */
            operation: string;
            poll_url: string;
            /** @description Only when real (processing) or 100 (completed). */
            progress?: number;
            /** @enum {string} */
            status: "pending" | "processing" | "completed" | "failed";
            task_id: string;
            updated: number;
            video?: {
                duration: number;
                height: number;
                url: string;
                width: number;
            };
            /** @description The stored video was deleted: by retention, or by its owner's DELETE /v1/videos/{id}. */
            video_expired?: boolean;
            /** @description When the stored video was deleted (Unix seconds). */
            video_expired_at?: number;
            /** @description Completed tasks: when retention deletes the stored video; once it is gone, when it went (a past time, equal to video_expired_at). Unix seconds. */
            video_expires_at?: number;
            /** @description Completed tasks: a signed, expiring gateway URL of the MP4. */
            video_url?: string;
        };
        TaskList: {
            data: components["schemas"]["Task"][];
            /** @description More tasks follow: pass `after` = `next_after` to get them. */
            has_more: boolean;
            /** @description The cursor of the next page (the last id of this one), or null. */
            next_after: string | null;
            /** @constant */
            object: "list";
        };
        Usage: {
            balance_usd?: number | null;
            /** @constant */
            currency: "USD";
            data: {
                cost_usd: number;
                date: string;
                key_id: string;
                model: string;
                requests: number;
            }[];
            end_date: string;
            key_id?: string;
            /** @constant */
            object: "usage";
            reserved_usd?: number;
            spend_limit_usd?: number | null;
            spent_usd?: number;
            start_date: string;
            total_cost_usd: number;
        };
        ValidationError: components["schemas"]["ApiError"] & {
            validation_errors?: {
                code?: string;
                field?: string;
                message?: string;
            }[];
        };
        VideoGenerationRequest: {
            /**
             * @description Canonical video aspect ratio. Seedance defaults to adaptive when omitted. The ratio alias is accepted for compatibility.
             * @enum {string}
             */
            aspect_ratio?: "adaptive" | "16:9" | "9:16" | "1:1" | "4:3" | "3:4" | "21:9";
            /**
             * Format: uri
             * @description Publicly reachable audio URL for model-specific audio-conditioned video flows.
             */
            audio_url?: string;
            /** @description Compatibility array for audio-conditioned flows when multiple audio references are supported by the routed model family. TokenLab currently accepts up to 3 reference audios. */
            audio_urls?: string[];
            /** @description Optional fixed-camera selector for compatible video models. Seedance 2.0 models do not support this field. */
            camera_fixed?: boolean;
            /** @description Prompt adherence strength (0-20) for models that expose CFG-style control. */
            cfg_scale?: number;
            /**
             * @description Seedance 1.5 Pro draft workflow flag. Only supported by draft-capable Seedance routes; draft=true creates a low-cost draft task.
             * @default false
             */
            draft?: boolean;
            /** @description Seedance 1.5 Pro draft promotion task ID. Provide this instead of draft=true to create the final video from a previous draft task. */
            draft_task_id?: string;
            /** @description Video duration in seconds. Seedance models also accept -1 to let the model choose within its supported duration range; TokenLab estimates billing conservatively for that mode. */
            duration?: number;
            /** @description Model-specific effect selector for specialized editing flows. */
            effect_type?: string;
            /** @description Last frame image input for start-end-to-video flows. Seedance accepts a public image reference or asset://asset-YYYYMMDDHHMMSS-xxxxx for an ACTIVE TokenLab material owned by the requesting organization. When the selected Seedance model can use the TokenLab material library, TokenLab prepares ordinary image input as a reusable material before generation; if it is not ACTIVE within 60 seconds, the API returns 409 seedance_material_preparing with auto_material_asset_ids. If the selected model cannot use the material library, ordinary image inputs continue on the regular image path. */
            end_image?: string;
            /**
             * @description Optional execution expiry window in seconds for compatible video models. Seedance defaults to 172800 seconds when omitted.
             * @default 172800
             */
            execution_expires_after?: number;
            /** @description Model-specific extension start offset used by some video-extension flows. */
            extend_at?: number;
            /** @description Model-specific extension multiplier or repeat count used by some video-extension flows. */
            extend_times?: string;
            /** @description Frames per second */
            fps?: number;
            /** @description Optional frame count for compatible video models. Seedance 2.0 models and Seedance 1.5 Pro do not support this field. */
            frames?: number;
            /** @description Compatibility alias for output_audio. If more than one audio toggle is provided, all values must match. */
            generate_audio?: boolean;
            /** @description Inline image as a data URL (for example, data:image/png;base64,...). Prefer image_url for broader production compatibility. When the selected Seedance model can use the TokenLab material library, TokenLab prepares this image input as a reusable material before generation; if it is not ACTIVE within 60 seconds, the API returns 409 seedance_material_preparing with auto_material_asset_ids. If the selected model cannot use the material library, ordinary image inputs continue on the regular image path. */
            image?: string;
            /**
             * Format: uri
             * @description Publicly reachable image URL for image-to-video generation, or asset://asset-YYYYMMDDHHMMSS-xxxxx for an ACTIVE TokenLab Seedance material used as the first frame. Preferred over inline base64 in production. TokenLab verifies material ownership. When the selected Seedance model can use the TokenLab material library, TokenLab prepares ordinary image input as a reusable material before generation; if it is not ACTIVE within 60 seconds, the API returns 409 seedance_material_preparing with auto_material_asset_ids. If the selected model cannot use the material library, ordinary image inputs continue on the regular image path.
             */
            image_url?: string;
            /** @description Image URL array for compatible image-conditioned video flows. This endpoint currently allows up to 9 entries. When the selected Seedance model can use the TokenLab material library, TokenLab prepares this image input as reusable material before generation; if it is not ACTIVE within 60 seconds, the API returns 409 seedance_material_preparing with auto_material_asset_ids. If the selected model cannot use the material library, ordinary image inputs continue on the regular image path. */
            image_urls?: string[];
            /** @description Kling 3.0 element references for kling-3.0-video image-conditioned requests. Define 1-3 elements and reference them in the prompt with @name. Each element requires 2-4 image URLs in element_input_urls. Do not combine kling_elements with output_audio=true; omit output_audio or set it to false for element-reference requests. */
            kling_elements?: {
                /** @description Optional short description of the element. */
                description?: string;
                /** @description Reference image URLs for this element. Kling 3.0 expects 2-4 images per element. */
                element_input_urls: string[];
                /** @description Element name used in the prompt without the @ prefix. */
                name: string;
            }[];
            /** @description TokenLab Seedance material asset ID returned by /v1/videos/assets, by automatic image preparation, or from a real-person group returned by GetVisualValidateResult. Use it after the asset is ACTIVE with Seedance models that can use the TokenLab material library. The asset must belong to the current account. This field is a generic reference input; to assign first-frame, last-frame, or reference-image semantics explicitly, put asset://<material_asset_id> in start_image, end_image, or reference_images. */
            material_asset_id?: string;
            /** @description TokenLab Seedance material asset IDs returned by /v1/videos/assets or by automatic image preparation. They share the Seedance image-reference limit; the selected model must be able to use the TokenLab material library and all assets must belong to the current account and be ACTIVE. */
            material_asset_ids?: string[];
            /** @description Model to use (e.g., veo3.1, kling-v1) */
            model?: string;
            /** @description Motion intensity (0-1) for models that expose it. */
            motion_strength?: number;
            /** @description What to avoid in the video */
            negative_prompt?: string;
            /**
             * @description Requested video operation. If omitted, TokenLab infers the operation from the provided inputs. Explicit operation is recommended for production reliability.
             * @enum {string}
             */
            operation?: "text-to-video" | "image-to-video" | "reference-to-video" | "start-end-to-video" | "video-to-video" | "video-extension" | "audio-to-video" | "motion-control";
            /** @description Canonical model-dependent audio output toggle. Veo 3 and Seedance requests default to true when omitted. Kling 3.0 Video accepts this selector for non-element-reference requests and maps it to the compatible sound control; omitted Kling requests default to silent output. Do not combine output_audio=true with kling_elements. The aliases outputAudio and generate_audio are accepted for compatibility and must match when provided together. */
            output_audio?: boolean;
            /** @description Compatibility alias for output_audio. If both are provided, they must match. */
            outputAudio?: boolean;
            /**
             * @description Optional task priority for compatible video models. Do not combine priority with service_tier=flex.
             * @default 0
             */
            priority?: number;
            /** @description Video description */
            prompt?: string;
            /**
             * @description Compatibility alias for aspect_ratio. If both ratio and aspect_ratio are provided, they must match.
             * @enum {string}
             */
            ratio?: "adaptive" | "16:9" | "9:16" | "1:1" | "4:3" | "3:4" | "21:9";
            /**
             * @description Optional reference image role for models that distinguish between asset and style references. The camelCase alias referenceImageType is accepted for compatibility.
             * @enum {string}
             */
            reference_image_type?: "asset" | "style";
            /** @description Canonical public reference-image field for reference-to-video conditioning. This endpoint currently allows up to 9 URLs, compatible data URLs, or for Seedance, asset://asset-YYYYMMDDHHMMSS-xxxxx URIs for ACTIVE TokenLab materials owned by the requesting organization; model-specific limits can be lower. xAI grok-imagine-video accepts up to 7 image references with duration capped at 10 seconds; grok-imagine-video-1.5 and grok-imagine-video-1.5-preview are image-to-video only and do not accept reference images. When the selected Seedance model can use the TokenLab material library, TokenLab prepares ordinary image input as reusable material before generation; if it is not ACTIVE within 60 seconds, the API returns 409 seedance_material_preparing with auto_material_asset_ids. If the selected model cannot use the material library, ordinary image inputs continue on the regular image path. */
            reference_images?: string[];
            /**
             * @description Video resolution. Seedance defaults to 720p when omitted; available values are model-dependent.
             * @enum {string}
             */
            resolution?: "480p" | "720p" | "1080p" | "4k";
            /**
             * @description Return the last generated frame when the selected model supports it. Seedance defaults to false when omitted.
             * @default false
             */
            return_last_frame?: boolean;
            /** @description Optional safety/user trace identifier for compatible video models. If omitted for Seedance, TokenLab uses user when provided. */
            safety_identifier?: string;
            /** @description Alias of duration used by compatible request shapes. Seedance models also accept -1 to let the model choose within its supported duration range; duration and seconds must match when both are provided. */
            seconds?: number;
            /** @description Seed for reproducibility. Seedance uses -1 for random seed when omitted. */
            seed?: number;
            /**
             * @description Optional service tier for compatible video models. service_tier=default is accepted as a no-op for Seedance 2.0 models; service_tier=flex is rejected where the selected model does not support it.
             * @enum {string}
             */
            service_tier?: "default" | "flex";
            /** @description Model-specific size tier for compatible video models. */
            size?: string;
            /** @description First frame image input for start-end-to-video flows. Seedance accepts a public image reference or asset://asset-YYYYMMDDHHMMSS-xxxxx for an ACTIVE TokenLab material owned by the requesting organization. When the selected Seedance model can use the TokenLab material library, TokenLab prepares ordinary image input as a reusable material before generation; if it is not ACTIVE within 60 seconds, the API returns 409 seedance_material_preparing with auto_material_asset_ids. If the selected model cannot use the material library, ordinary image inputs continue on the regular image path. */
            start_image?: string;
            /** @description Task identifier used by some continuation, extension, or derivative flows. */
            task_id?: string;
            /** @description End-user identifier */
            user?: string;
            /**
             * Format: uri
             * @description Publicly reachable video URL for video-to-video style flows and motion-control models.
             */
            video_url?: string;
            /** @description Compatibility array for video-conditioned flows when multiple input videos are supported by the routed model family. TokenLab currently accepts up to 3 reference videos. */
            video_urls?: string[];
            /** @description Optional watermark toggle for models that expose it. Seedance defaults to false when omitted. */
            watermark?: boolean;
        };
        VideoGenerationResponse: {
            content?: {
                file_url?: string | null;
                last_frame_url?: string;
                video_url?: string;
            } & {
                [key: string]: unknown;
            };
            /** @description Unix timestamp */
            created?: number;
            /** @description Whether the Seedance draft workflow was used for this task. */
            draft?: boolean;
            /** @description Seedance draft task identifier when returned by the adapter. */
            draft_task_id?: string;
            error?: {
                code?: string;
                message?: string;
            };
            /** @description Resolved audio output flag when returned by the adapter. */
            generate_audio?: boolean;
            /** @description Task ID */
            id: string;
            /** @description Last generated frame URL when requested and supported by the selected model. */
            last_frame_url?: string;
            model?: string;
            /** @description Preferred polling URL for this task. Use this exact path when checking status. */
            poll_url?: string;
            /**
             * @description Task status
             * @enum {string}
             */
            status?: "pending" | "processing" | "completed" | "failed";
            /** @description Canonical async task identifier for polling. Treat this as the same identity as id when both are present. */
            task_id?: string;
            video?: {
                duration?: number;
                height?: number;
                url?: string;
                width?: number;
            };
            /** @description Generated video URL when the create response is already terminal or includes an immediate result. */
            video_url?: string;
        };
        VideoTaskResponse: {
            audio_url?: string;
            billing_transaction_id?: string;
            /**
             * @description Cancellation marker for tasks cancelled through the public async task endpoint.
             * @enum {string}
             */
            cancellation_status?: "cancelled";
            /** @description True when a queued async task was cancelled before execution. Cancelled tasks are represented with `status: failed` for compatibility with existing async task status values. */
            cancelled?: boolean;
            created?: number;
            data?: {
                [key: string]: unknown;
            }[];
            error?: string | ({
                code?: string;
                message?: string;
            } & {
                [key: string]: unknown;
            });
            fbx_url?: string;
            glb_url?: string;
            id?: string;
            lyrics?: string;
            model?: string;
            model_url?: string;
            poll_url?: string;
            /** @description Optional progress value returned only when a real progress value is available; use status to determine completion. */
            progress?: number;
            /** @enum {string} */
            status?: "pending" | "processing" | "completed" | "failed";
            task_id?: string;
            title?: string;
            updated?: number;
            video?: {
                duration?: number;
                height?: number;
                url?: string;
                width?: number;
            };
            video_url?: string;
            videos?: {
                [key: string]: unknown;
            }[];
        };
        WebhookDefault: {
            /** @constant */
            object: "webhook.default";
            url: string | null;
        };
        WebhookDelivery: {
            attempt_count: number;
            attempts: {
                attempt: number;
                duration_ms: number | null;
                error: string | null;
                response_status: number | null;
                started: number;
                succeeded: boolean;
                trigger: string;
            }[];
            created: number;
            delivered_at: number | null;
            event_type: string;
            /** @description The webhook-id header of every attempt. */
            id: string;
            last_error: string | null;
            last_response_status: number | null;
            next_attempt_at: number | null;
            /** @constant */
            object: "webhook.delivery";
            status: string;
            task_id: string;
            url: string;
        };
        WebhookDeliveryList: {
            data: components["schemas"]["WebhookDelivery"][];
            /** @constant */
            object: "list";
        };
        WebhookSecret: {
            /** @constant */
            object: "webhook.secret";
            /** @description whsec_… (Standard Webhooks). */
            secret: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getPlayground: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HTML. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getDocs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HTML. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
    listChannels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelList"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    listKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyList"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    createKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    admin?: boolean;
                    name?: string;
                };
            };
        };
        responses: {
            /** @description Created; the secret is shown once. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyCreated"];
                };
            };
            /** @description Invalid body. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Key id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyDeleted"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description No such key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    updateKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Key id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    add_balance_usd?: number;
                    balance_usd?: number | null;
                    rpm_limit?: number | null;
                    spend_limit_usd?: number | null;
                    webhook_url?: string | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"];
                };
            };
            /** @description Invalid body. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description No such key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getAnyTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task id (`ldtask_` + 32 hex), as returned by create. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminTask"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Task not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getAllUsage: {
        parameters: {
            query?: {
                /** @description YYYY-MM-DD. */
                end_date?: string;
                /** @description Only this key. */
                key_id?: string;
                /** @description YYYY-MM-DD. */
                start_date?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Usage"];
                };
            };
            /** @description Invalid date. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description No such key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    downloadFile: {
        parameters: {
            query: {
                expires: string;
                signature: string;
            };
            header?: {
                /** @description The ETag of a copy you have (or *): 304 without a body, whatever Range asks. */
                "If-None-Match"?: string;
            };
            path: {
                /** @description Task id (`ldtask_` + 32 hex), as returned by create. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The MP4. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": string;
                };
            };
            /** @description A byte range. */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": string;
                };
            };
            /** @description Your copy is current (If-None-Match). */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad or expired signature. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description File not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Deleted by retention. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Range not satisfiable. */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: {
                /** @description Filter by category. */
                category?: string;
                /** @description Filter by provider. */
                provider?: string;
                /** @description Same as category. */
                recommended_for?: string;
                /** @description Filter by tag. */
                tag?: string;
                /** @description full (default) or compact. */
                view?: "full" | "compact";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelsResponse"] | components["schemas"]["CompactModelsResponse"];
                };
            };
            /** @description Invalid filter. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Model id or alias. */
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Model"];
                };
            };
            /** @description model_not_found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getModelPricing: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Model id or alias. */
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelPricingResponse"];
                };
            };
            /** @description model_not_found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getPricing: {
        parameters: {
            query?: {
                /** @description Filter by provider. */
                provider?: string;
                /** @description Filter by tag. */
                tag?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PricingResponse"];
                };
            };
            /** @description Invalid filter. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    listTasks: {
        parameters: {
            query?: {
                /** @description Cursor: the `next_after` of the previous page. */
                after?: string;
                /** @description Page size, 1–100 (default 20). */
                limit?: number;
                /** @description Only tasks of this model. */
                model?: string;
                /** @description Only tasks with this public status. */
                status?: "pending" | "processing" | "completed" | "failed";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskList"];
                };
            };
            /** @description Invalid filter or cursor. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getTask: {
        parameters: {
            query?: {
                /** @description Long poll: hold up to this many seconds (0–60) for a change. */
                wait?: number;
            };
            header?: {
                /** @description An ETag from an earlier answer: 304 while the task is unchanged. */
                "If-None-Match"?: string;
            };
            path: {
                /** @description Task id (`ldtask_` + 32 hex), as returned by create. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description Unchanged since the ETag sent. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid wait. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Task not found (another key's task is answered exactly like a missing one). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    cancelTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task id (`ldtask_` + 32 hex), as returned by create. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancelled: status failed, cancelled true. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Task not found (another key's task is answered exactly like a missing one). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description task_not_cancellable. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    streamTask: {
        parameters: {
            query?: never;
            header?: {
                /** @description Resume after this event. */
                "Last-Event-ID"?: string;
            };
            path: {
                /** @description Task id (`ldtask_` + 32 hex), as returned by create. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event stream. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Task not found (another key's task is answered exactly like a missing one). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    receiveProjectWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The channel (e.g. openai). */
                channel: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Bad or stale signature. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Unknown channel. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    receiveUpstreamCallback: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The channel the task was submitted through. */
                channel: string;
                /** @description The per-task token the gateway issued. */
                token: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Accepted (it changed nothing, or the task is polled now). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Bad signature. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Unknown callback URL. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getUsage: {
        parameters: {
            query?: {
                /** @description YYYY-MM-DD (default today). */
                end_date?: string;
                /** @description YYYY-MM-DD (default 29 days ago). */
                start_date?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Usage"];
                };
            };
            /** @description Invalid date. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    openaiListVideos: {
        parameters: {
            query?: {
                /** @description Cursor: a video id. */
                after?: string;
                /** @description 1–100 (default 20). */
                limit?: number;
                /** @description asc or desc (default desc). */
                order?: "asc" | "desc";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIVideoList"];
                };
            };
            /** @description Invalid parameter. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    openaiCreateVideo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OpenAIVideoCreate"];
                "multipart/form-data": components["schemas"]["OpenAIVideoCreate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIVideo"];
                };
            };
            /** @description Invalid request (`param` names the field, e.g. size; a form field or JSON key sent twice is `duplicate_parameter`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Insufficient balance or quota. */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    openaiRetrieveVideo: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Video id (the task id). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIVideo"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Video not found, or deleted (video_deleted). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    openaiDeleteVideo: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Video id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIVideoDeleted"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Video not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The video is being generated upstream and cannot be stopped. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    openaiDownloadVideoContent: {
        parameters: {
            query?: {
                /** @description video (default) or thumbnail. */
                variant?: "video" | "thumbnail";
            };
            header?: {
                /** @description The ETag of a copy you have (or *): 304 without a body, whatever Range asks. */
                "If-None-Match"?: string;
            };
            path: {
                /** @description Video id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": string;
                    "video/mp4": string;
                };
            };
            /** @description A byte range (Range: bytes=…). */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": string;
                };
            };
            /** @description Your copy is current (If-None-Match). */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid variant. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Video not found, its file was deleted, or it failed (video_failed: it will never have content). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description The video is not completed yet. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Range not satisfiable. */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    createVideo: {
        parameters: {
            query?: never;
            header?: {
                /** @description Same key + same request within 24 h returns the original task. Requests are compared as parsed: key order, aliases and null (not sent) fields make no difference. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VideoGenerationRequest"];
            };
        };
        responses: {
            /** @description Task stored (status pending). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VideoGenerationResponse"];
                };
            };
            /** @description Invalid request: `param` names the field and the message says what is allowed (a key given twice in the JSON body, at any depth, is `duplicate_parameter`). Also a request no configured channel can serve: `param` names what the channels cannot take. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description insufficient_balance or quota_exceeded. */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Idempotency-Key reused with a different request. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description No channel serves this model. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getVideoTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task id (`ldtask_` + 32 hex), as returned by create. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Task not found (another key's task is answered exactly like a missing one). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getDefaultWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDefault"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    setDefaultWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    url: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDefault"];
                };
            };
            /** @description Invalid URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    clearDefaultWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDefault"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                /** @description 1–100 (default 20). */
                limit?: number;
                /** @description Only this task. */
                task_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryList"];
                };
            };
            /** @description Invalid parameter. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Task not found (another key's task is answered exactly like a missing one). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getWebhookDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The webhook-id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Delivery not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    redeliverWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The webhook-id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Delivery not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    getWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSecret"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
    rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSecret"];
                };
            };
            /** @description Missing or invalid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After and X-RateLimit-* headers). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiError"];
                };
            };
        };
    };
}
