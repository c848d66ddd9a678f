// Generated from the API OpenAPI schema by tools/openapi/gen.mjs (`make api-types`). Do not edit.

export interface paths {
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign In */
        post: operations["sign_in_api_auth_login_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign Out */
        post: operations["sign_out_api_auth_logout_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Me */
        get: operations["me_api_auth_me_get"];
        put?: never;
        post?: never;
        /**
         * Delete Account
         * @description Delete the account and everything derived from it: interviews, answers, transcripts, expression samples,
         *     evaluations, reports, sessions, live event streams and stored frames.
         */
        delete: operations["delete_account_api_auth_me_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign Up */
        post: operations["sign_up_api_auth_signup_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/evaluations/timing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Scoring Timing
         * @description How long scoring usually takes (median of the most recent evaluations of every candidate, submission to
         *     score), so the room can say "scoring usually takes ~N s" and let the candidate go on meanwhile. Durations only:
         *     no answer, score or candidate is revealed.
         */
        get: operations["scoring_timing_api_evaluations_timing_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health */
        get: operations["health_api_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/interviews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Interviews */
        get: operations["list_interviews_api_interviews_get"];
        put?: never;
        /** Create Interview */
        post: operations["create_interview_api_interviews_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/interviews/{interview_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Interview */
        get: operations["get_interview_api_interviews__interview_id__get"];
        put?: never;
        post?: never;
        /**
         * Delete Interview
         * @description Delete the interview and everything derived from it (questions, answers, transcripts, expression samples,
         *     evaluations, report, live events).
         */
        delete: operations["delete_interview_api_interviews__interview_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/interviews/{interview_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Interview Events
         * @description Server-Sent Events for one interview. Each event's name is its type (`question.token`,
         *     `transcript.partial`, `transcript.final`, `speech.started`, `turn.ended` (hands-free: the candidate's turn is over),
         *     `expression.sample`, `evaluation.pending|partial|ready|failed`,
         *     `report.ready`, `service.status`, …), its data the JSON fields defined in `core/events.py`, and its id a stream
         *     position: reconnect with `Last-Event-ID` to receive exactly what was missed (`0-0`: everything kept). An id past
         *     the end of the stream (never sent by this server) resumes at the live tail: what happens from now on. An id that is
         *     not a stream position (`<ms>-<seq>`, each at most 2^64-1) is a 422. The first line, the comment `: connected`, is
         *     sent once the subscription is in place: anything published after it is delivered. A comment line is sent every
         *     10 s while idle.
         */
        get: operations["interview_events_api_interviews__interview_id__events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/interviews/{interview_id}/finish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Finish Interview
         * @description Close the interview and queue its report (summary by the evaluator model). Idempotent.
         */
        post: operations["finish_interview_api_interviews__interview_id__finish_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/interviews/{interview_id}/media-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Media Token
         * @description A short-lived token that lets this browser connect its camera/microphone to the media server for this
         *     interview. Frames are sampled only if the candidate consented to camera analysis.
         */
        post: operations["media_token_api_interviews__interview_id__media_token_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/interviews/{interview_id}/questions/next": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Next Question
         * @description Server-Sent Events (`text/event-stream`), in order:
         *
         *     * `started` — `{"position": int, "kind": str, "competency": str}` right away
         *     * `token` — `{"text": str}` pieces of the question, once it passed validation (a rejected output is never shown)
         *     * `done` — `{"question_id": uuid, "position": int, "kind": str, "text": str, "source": "generated" | "follow_up" |
         *       "bank", "competency": str}`: the question is stored
         *     * `error` — `{"message": str, "code": "model_unavailable" | "model_timeout" | "bad_output" | "internal"}`:
         *       nothing was stored; ask again
         *
         *     Closing the connection cancels generation and frees the model server's slot.
         */
        post: operations["next_question_api_interviews__interview_id__questions_next_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/interviews/{interview_id}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Report
         * @description The report dashboard's data. `status` is `pending` until the evaluator's summary is written (watch for
         *     `report.ready` on the event stream); per-question detail is available at any time.
         */
        get: operations["get_report_api_interviews__interview_id__report_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/media/offer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Media Offer
         * @description Forward the browser's SDP offer (with its media token) to the media server and return its answer.
         */
        post: operations["media_offer_api_media_offer_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Models */
        get: operations["get_models_api_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Progress
         * @description Per-competency score history across the candidate's own interviews (one point per interview: the mean of the
         *     competency's evaluated answers) and the spaced-repetition schedule (SM-2): what is due today.
         */
        get: operations["get_progress_api_progress_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/progress/practice": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start Practice
         * @description Start a practice interview whose plan targets the competencies due today, weakest first (the weakest ones when
         *     nothing is due), with questions the candidate was not asked recently where the bank has them. 409 without any
         *     scored answer yet. Continue as with any interview (`POST /api/interviews/{id}/questions/next`).
         */
        post: operations["start_practice_api_progress_practice_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/questions/{question_id}/answer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit Answer
         * @description Store the final answer (re-submitting replaces it and re-evaluates) and queue its evaluation. Progress
         *     arrives on the interview's event stream: `evaluation.pending`, then `evaluation.ready` or `evaluation.failed`.
         */
        post: operations["submit_answer_api_questions__question_id__answer_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload Resume
         * @description Extract the text of a résumé PDF (at most `MAX_UPLOAD_BYTES`). The file itself is not stored.
         */
        post: operations["upload_resume_api_uploads_resume_post"];
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
        /**
         * AnchorsOut
         * @description What a 1, 3 and 5 answer look like for the question's competency (C3; keys "1", "3", "5").
         */
        AnchorsOut: {
            /** 1 */
            1: string;
            /** 3 */
            3: string;
            /** 5 */
            5: string;
            /** Competency */
            competency: string;
            /** Name */
            name: string;
        };
        /** AnswerAccepted */
        AnswerAccepted: {
            /**
             * Evaluation Status
             * @default pending
             * @constant
             */
            evaluation_status?: "pending";
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Question Id
             * Format: uuid
             */
            question_id: string;
            /** Revision */
            revision: number;
            /** Speech Metrics */
            speech_metrics: {
                [key: string]: unknown;
            };
        };
        /** AnswerIn */
        AnswerIn: {
            /** Ended At */
            ended_at?: string | null;
            /**
             * Source
             * @default typed
             * @enum {string}
             */
            source?: "speech" | "typed";
            /** Started At */
            started_at?: string | null;
            /**
             * Text
             * @description Final answer text (from live STT or typed)
             */
            text: string;
        };
        /** AnswerOut */
        AnswerOut: {
            /** Ended At */
            ended_at: string | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Revision */
            revision: number;
            /**
             * Source
             * @enum {string}
             */
            source: "speech" | "typed";
            /** Speech Metrics */
            speech_metrics: {
                [key: string]: unknown;
            };
            /** Started At */
            started_at: string | null;
            /** Text */
            text: string;
        };
        /** AnswerSdp */
        AnswerSdp: {
            /** Sdp */
            sdp: string;
            /** Type */
            type: string;
        };
        /** Body_upload_resume_api_uploads_resume_post */
        Body_upload_resume_api_uploads_resume_post: {
            /** File */
            file: string;
        };
        /** CompetencyProgressOut */
        CompetencyProgressOut: {
            /**
             * Change
             * @description latest session minus the one before; null with one session
             */
            change: number | null;
            /** Competency */
            competency: string;
            /** Latest */
            latest: number;
            /**
             * Name
             * @description in the candidate's locale
             */
            name: string;
            /**
             * Recent
             * @description mean of the last three sessions: how the weakest are ranked
             */
            recent: number;
            schedule: components["schemas"]["ScheduleOut"];
            /**
             * Sessions
             * @description oldest first
             */
            sessions: components["schemas"]["SessionOut"][];
        };
        /** ErrorOut */
        ErrorOut: {
            /** Detail */
            detail: string;
        };
        /** EvaluationOut */
        EvaluationOut: {
            /** Error */
            error: string | null;
            /**
             * Error Code
             * @description why scoring failed: unavailable | bad_output | degenerate | wrong_language | rejected | timeout
             */
            error_code: string | null;
            /** Improvements */
            improvements: string[];
            /** Model Answer */
            model_answer: string;
            /**
             * Overall Score
             * @description 1–5
             */
            overall_score: number | null;
            /** Rubric */
            rubric: {
                [key: string]: unknown;
            };
            /**
             * Status
             * @enum {string}
             */
            status: "pending" | "ready" | "failed";
            /** Strengths */
            strengths: string[];
        };
        /**
         * ExpressionAggregate
         * @description Expression readings over a set of webcam samples (practice feedback, never a hiring signal).
         */
        ExpressionAggregate: {
            /**
             * Distribution
             * @description expression → share of face samples
             */
            distribution?: {
                [key: string]: number;
            };
            /** Dominant */
            dominant?: string | null;
            /** Face Present Ratio */
            face_present_ratio?: number | null;
            /**
             * Face Samples
             * @default 0
             */
            face_samples?: number;
            /**
             * Mean Confidence
             * @description mean probability of the dominant expression
             */
            mean_confidence?: number | null;
            /** Mean Detector Confidence */
            mean_detector_confidence?: number | null;
            /** Mean Scores */
            mean_scores?: {
                [key: string]: number | null;
            };
            /**
             * Samples
             * @default 0
             */
            samples?: number;
        };
        /** FinishOut */
        FinishOut: {
            status: components["schemas"]["InterviewStatus"];
        };
        /** HealthOut */
        HealthOut: {
            /** Components */
            components: {
                [key: string]: {
                    [key: string]: unknown;
                };
            };
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "degraded" | "down";
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** IceServer */
        IceServer: {
            /** Credential */
            credential?: string | null;
            /** Urls */
            urls: string[];
            /** Username */
            username?: string | null;
        };
        /** InterviewDetail */
        InterviewDetail: {
            /** Consent Camera */
            consent_camera: boolean;
            /** Consent Voice */
            consent_voice: boolean;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Job Description */
            job_description: string;
            language: components["schemas"]["Language"];
            /** Num Questions */
            num_questions: number;
            /** Overall Score */
            overall_score: number | null;
            plan: components["schemas"]["PlanOut"] | null;
            /** Questions */
            questions: components["schemas"]["QuestionOut"][];
            /** Resume Text */
            resume_text: string;
            /** Role */
            role: string;
            /** Role Preset */
            role_preset: ("backend" | "frontend" | "data" | "pm" | "devops" | "ml") | null;
            /**
             * Seniority
             * @enum {string}
             */
            seniority: "junior" | "mid" | "senior" | "lead";
            status: components["schemas"]["InterviewStatus"];
        };
        /** InterviewIn */
        InterviewIn: {
            /**
             * Consent Camera
             * @description Opt in to expression analysis of webcam frames
             * @default false
             */
            consent_camera?: boolean;
            /**
             * Consent Voice
             * @description Opt in to speech-to-text of the microphone
             * @default false
             */
            consent_voice?: boolean;
            /**
             * Job Description
             * @description Pasted job description (untrusted text)
             * @default
             */
            job_description?: string;
            /** @description Interview language: 'ko' or 'en' */
            language: components["schemas"]["Language"];
            /** Num Questions */
            num_questions: number;
            /**
             * Resume Text
             * @description Résumé text, typed or extracted by /api/uploads/resume
             * @default
             */
            resume_text?: string;
            /**
             * Role
             * @description Role title, free text (e.g. 'Backend engineer')
             */
            role: string;
            /** Role Preset */
            role_preset?: ("backend" | "frontend" | "data" | "pm" | "devops" | "ml") | null;
            /**
             * Seniority
             * @enum {string}
             */
            seniority: "junior" | "mid" | "senior" | "lead";
        };
        /** InterviewOut */
        InterviewOut: {
            /** Consent Camera */
            consent_camera: boolean;
            /** Consent Voice */
            consent_voice: boolean;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            language: components["schemas"]["Language"];
            /** Num Questions */
            num_questions: number;
            /** Overall Score */
            overall_score: number | null;
            /** Role */
            role: string;
            /** Role Preset */
            role_preset: ("backend" | "frontend" | "data" | "pm" | "devops" | "ml") | null;
            /**
             * Seniority
             * @enum {string}
             */
            seniority: "junior" | "mid" | "senior" | "lead";
            status: components["schemas"]["InterviewStatus"];
        };
        /**
         * InterviewStatus
         * @enum {string}
         */
        InterviewStatus: "active" | "finishing" | "finished";
        /** InterviewSummary */
        InterviewSummary: {
            /** Answered */
            answered: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            language: components["schemas"]["Language"];
            /** Num Questions */
            num_questions: number;
            /** Overall Score */
            overall_score: number | null;
            /** Role */
            role: string;
            status: components["schemas"]["InterviewStatus"];
        };
        /** KeyPointOut */
        KeyPointOut: {
            /**
             * Covered
             * @description the answer touched this point (lexical match, not the LLM)
             */
            covered: boolean;
            /** Text */
            text: string;
        };
        /**
         * Language
         * @enum {string}
         */
        Language: "ko" | "en";
        /** MediaTokenOut */
        MediaTokenOut: {
            /** Camera Analysis */
            camera_analysis: boolean;
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
            /** Ice Servers */
            ice_servers: components["schemas"]["IceServer"][];
            /**
             * Offer Url
             * @default /api/media/offer
             */
            offer_url?: string;
            /** Token */
            token: string;
        };
        /** ModelsOut */
        ModelsOut: {
            evaluator: components["schemas"]["RoleModel"];
            question: components["schemas"]["RoleModel"];
        };
        /** OfferIn */
        OfferIn: {
            /** Sdp */
            sdp: string;
            /** Token */
            token: string;
            /** Type */
            type: string;
        };
        /** PlanCompetency */
        PlanCompetency: {
            /** Id */
            id: string;
            /** Name */
            name: string;
            /**
             * Weight
             * @description share of this interview's emphasis, 0–1
             */
            weight: number;
        };
        /**
         * PlanOut
         * @description What this interview covers: chosen at setup from the role, seniority, JD and résumé (C3), or, for a practice
         *     interview, from the candidate's weak or due competencies (`practice`).
         */
        PlanOut: {
            /** Competencies */
            competencies: components["schemas"]["PlanCompetency"][];
            practice?: components["schemas"]["PlanPractice"] | null;
            /** Slots */
            slots: components["schemas"]["PlanSlot"][];
            /** Version */
            version: string;
        };
        /** PlanPractice */
        PlanPractice: {
            /**
             * Focus
             * @description the competencies this practice interview targets, weakest first
             */
            focus: string[];
        };
        /** PlanSlot */
        PlanSlot: {
            /** Bank Id */
            bank_id: string;
            /** Competency */
            competency: string;
            kind: components["schemas"]["QuestionKind"];
            /** Position */
            position: number;
        };
        /**
         * PracticeIn
         * @description Start a practice interview on the weak or due competencies. Role, seniority, job description and résumé
         *     come from the candidate's latest interview; camera analysis is opt-in per interview and never carried over.
         */
        PracticeIn: {
            /**
             * Consent Camera
             * @description Opt in to expression analysis of webcam frames
             * @default false
             */
            consent_camera?: boolean;
            /**
             * Consent Voice
             * @description default: as in the latest interview
             */
            consent_voice?: boolean | null;
            /** @description default: the latest interview's language */
            language?: components["schemas"]["Language"] | null;
            /**
             * Num Questions
             * @default 5
             */
            num_questions?: number;
            /**
             * Tz
             * @description The candidate's IANA time zone: what 'today' and each interview's day mean (default UTC)
             * @default UTC
             */
            tz?: string;
        };
        /** ProgressOut */
        ProgressOut: {
            /**
             * Competencies
             * @description weakest (lowest recent score) first
             */
            competencies: components["schemas"]["CompetencyProgressOut"][];
            /**
             * Due
             * @description competencies due today, weakest first
             */
            due: string[];
            /**
             * Focus
             * @description what 'Practise my weak areas' would target now: the due ones, or the weakest if none is due
             */
            focus: string[];
            /** Next Due On */
            next_due_on: string | null;
            /** Timezone */
            timezone: string;
            /**
             * Today
             * Format: date
             */
            today: string;
        };
        /** QuestionExpression */
        QuestionExpression: {
            /**
             * Distribution
             * @description expression → share of face samples
             */
            distribution?: {
                [key: string]: number;
            };
            /** Dominant */
            dominant?: string | null;
            /** End S */
            end_s?: number | null;
            /** Face Present Ratio */
            face_present_ratio?: number | null;
            /**
             * Face Samples
             * @default 0
             */
            face_samples?: number;
            /**
             * Mean Confidence
             * @description mean probability of the dominant expression
             */
            mean_confidence?: number | null;
            /** Mean Detector Confidence */
            mean_detector_confidence?: number | null;
            /** Mean Scores */
            mean_scores?: {
                [key: string]: number | null;
            };
            /** Position */
            position?: number | null;
            /** Question Id */
            question_id?: string | null;
            /**
             * Samples
             * @default 0
             */
            samples?: number;
            /** Start S */
            start_s?: number | null;
        };
        /**
         * QuestionKind
         * @description The kind of a planned slot (C2 taxonomy). A follow-up is not a kind but a `QuestionSource`.
         * @enum {string}
         */
        QuestionKind: "opening" | "technical" | "behavioural" | "situational" | "closing";
        /** QuestionMark */
        QuestionMark: {
            /** Position */
            position: number;
            /**
             * Question Id
             * Format: uuid
             */
            question_id: string;
            /** T S */
            t_s: number;
        };
        /** QuestionOut */
        QuestionOut: {
            answer: components["schemas"]["AnswerOut"] | null;
            /** Competency */
            competency: string | null;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            evaluation: components["schemas"]["EvaluationOut"] | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            kind: components["schemas"]["QuestionKind"];
            /** Position */
            position: number;
            /** @description generated | follow_up | bank: how the shown question was made */
            source: components["schemas"]["QuestionSource"];
            /** Text */
            text: string;
        };
        /**
         * QuestionSource
         * @description Where the shown question came from: the model personalised the slot's bank question, the model followed up
         *     on the previous answer, or its output failed validation and the vetted bank question was used as is.
         * @enum {string}
         */
        QuestionSource: "generated" | "follow_up" | "bank";
        /** ReportOut */
        ReportOut: {
            /** Disclaimer */
            disclaimer: string;
            /** Error */
            error: string | null;
            expression: components["schemas"]["ExpressionAggregate"];
            /** Expression Timeline */
            expression_timeline: components["schemas"]["TimelinePoint"][];
            interview: components["schemas"]["InterviewOut"];
            /** Overall Score */
            overall_score: number | null;
            /** @description what this interview covered (competencies and slots, C3) */
            plan: components["schemas"]["PlanOut"] | null;
            /** Practice */
            practice: string[];
            /** Question Marks */
            question_marks: components["schemas"]["QuestionMark"][];
            /** Questions */
            questions: components["schemas"]["ReportQuestion"][];
            /**
             * Rubric
             * @description criterion → mean score 1–5 over evaluated answers
             */
            rubric: {
                [key: string]: number;
            };
            speaking: components["schemas"]["Speaking"];
            /**
             * Status
             * @enum {string}
             */
            status: "pending" | "ready" | "failed";
            /** Strengths */
            strengths: string[];
            /** Summary */
            summary: string;
        };
        /** ReportQuestion */
        ReportQuestion: {
            anchors: components["schemas"]["AnchorsOut"] | null;
            answer: components["schemas"]["AnswerOut"] | null;
            /** Competency */
            competency: string | null;
            evaluation: components["schemas"]["EvaluationOut"] | null;
            expression: components["schemas"]["QuestionExpression"] | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Key Points
             * @description the bank question's key points; [] for a question without one
             */
            key_points: components["schemas"]["KeyPointOut"][];
            kind: components["schemas"]["QuestionKind"];
            /** Position */
            position: number;
            /** Question */
            question: string;
            source: components["schemas"]["QuestionSource"];
            /** Speech Metrics */
            speech_metrics: {
                [key: string]: unknown;
            };
            /** Transcript */
            transcript: components["schemas"]["TranscriptSegmentOut"][];
        };
        /** ResumeText */
        ResumeText: {
            /** Chars */
            chars: number;
            /** Pages */
            pages: number;
            /** Text */
            text: string;
            /** Truncated */
            truncated: boolean;
        };
        /** RoleModel */
        RoleModel: {
            /**
             * Demo
             * @description served by the bundled small local model (SmolLM2-135M): expect weak output
             */
            demo: boolean;
            /**
             * Model
             * @description the model id sent to (or reported by) the role's server
             */
            model: string;
        };
        /**
         * ScheduleOut
         * @description The competency's SM-2 state after replaying its sessions (see core/practice.py).
         */
        ScheduleOut: {
            /**
             * Due
             * @description due on or before today
             */
            due: boolean;
            /**
             * Due On
             * Format: date
             */
            due_on: string;
            /**
             * Ease
             * @description SM-2 ease factor, ≥ 1.3
             */
            ease: number;
            /** Interval Days */
            interval_days: number;
            /**
             * Last Reviewed On
             * Format: date
             */
            last_reviewed_on: string;
            /** Overdue Days */
            overdue_days: number;
            /**
             * Repetitions
             * @description passing sessions (score ≥ 3) in a row
             */
            repetitions: number;
        };
        /**
         * ScoringTiming
         * @description How long scoring an answer usually takes here, from the deployment's recent evaluations.
         */
        ScoringTiming: {
            /**
             * P50 S
             * @description Median seconds from submission to score; null until enough samples
             */
            p50_s: number | null;
            /**
             * Samples
             * @description Evaluations the median is taken over (the most recent ones)
             */
            samples: number;
        };
        /**
         * SessionOut
         * @description One interview's score for the competency: the mean of its evaluated answers there.
         */
        SessionOut: {
            /** Answers */
            answers: number;
            /**
             * Day
             * Format: date
             * @description the interview's day in the requested time zone
             */
            day: string;
            /**
             * Interview Id
             * Format: uuid
             */
            interview_id: string;
            /**
             * Score
             * @description 1–5
             */
            score: number;
            /**
             * Started At
             * Format: date-time
             */
            started_at: string;
        };
        /** SignInIn */
        SignInIn: {
            /**
             * Email
             * Format: email
             */
            email: string;
            /** Password */
            password: string;
        };
        /** SignUpIn */
        SignUpIn: {
            /**
             * Display Name
             * @default
             */
            display_name?: string;
            /**
             * Email
             * Format: email
             */
            email: string;
            /**
             * Locale
             * @default ko
             * @enum {string}
             */
            locale?: "ko" | "en";
            /** Password */
            password: string;
        };
        /** Speaking */
        Speaking: {
            /** Avg Spm */
            avg_spm: number | null;
            /** Avg Wpm */
            avg_wpm: number | null;
            /** Filler Count */
            filler_count: number;
            /** Fillers */
            fillers: {
                [key: string]: number;
            };
            /** Long Pauses */
            long_pauses: number;
        };
        /** TimelinePoint */
        TimelinePoint: {
            /** Dominant */
            dominant: string | null;
            /** Face Found */
            face_found: boolean;
            /** Question Id */
            question_id: string | null;
            /** Score */
            score: number | null;
            /**
             * T S
             * @description seconds since the interview started
             */
            t_s: number;
        };
        /** TranscriptSegmentOut */
        TranscriptSegmentOut: {
            /** Confidence */
            confidence: number | null;
            /** End S */
            end_s: number;
            /** Start S */
            start_s: number;
            /** Text */
            text: string;
        };
        /** UserOut */
        UserOut: {
            /** Display Name */
            display_name: string;
            /** Email */
            email: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Locale
             * @enum {string}
             */
            locale: "ko" | "en";
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
        /**
         * ValidationErrorOut
         * @description 422: field-level issues from request validation, or one message from the endpoint's own checks.
         */
        ValidationErrorOut: {
            /** Detail */
            detail: string | components["schemas"]["ValidationIssue"][];
        };
        /** ValidationIssue */
        ValidationIssue: {
            /** Loc */
            loc: (string | number)[];
            /** Msg */
            msg: string;
            /** Type */
            type: string;
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
    sign_in_api_auth_login_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignInIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many attempts */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    sign_out_api_auth_logout_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    me_api_auth_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    delete_account_api_auth_me_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    sign_up_api_auth_signup_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignUpIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserOut"];
                };
            };
            /** @description Conflict with the interview's current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    scoring_timing_api_evaluations_timing_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScoringTiming"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    health_api_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthOut"];
                };
            };
        };
    };
    list_interviews_api_interviews_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InterviewSummary"][];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    create_interview_api_interviews_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InterviewIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InterviewOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_interview_api_interviews__interview_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                interview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InterviewDetail"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_interview_api_interviews__interview_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                interview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    interview_events_api_interviews__interview_id__events_get: {
        parameters: {
            query?: never;
            header?: {
                "last-event-id"?: string | null;
            };
            path: {
                interview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description Server-Sent Events for one interview. Each event's name is its type (`question.token`,
             *     `transcript.partial`, `transcript.final`, `speech.started`, `turn.ended` (hands-free: the candidate's turn is over),
             *     `expression.sample`, `evaluation.pending|partial|ready|failed`,
             *     `report.ready`, `service.status`, …), its data the JSON fields defined in `core/events.py`, and its id a stream
             *     position: reconnect with `Last-Event-ID` to receive exactly what was missed (`0-0`: everything kept). An id past
             *     the end of the stream (never sent by this server) resumes at the live tail: what happens from now on. An id that is
             *     not a stream position (`<ms>-<seq>`, each at most 2^64-1) is a 422. The first line, the comment `: connected`, is
             *     sent once the subscription is in place: anything published after it is delivered. A comment line is sent every
             *     10 s while idle.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": unknown;
                };
            };
            /** @description Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many attempts */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    finish_interview_api_interviews__interview_id__finish_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                interview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FinishOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict with the interview's current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    media_token_api_interviews__interview_id__media_token_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                interview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaTokenOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict with the interview's current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    next_question_api_interviews__interview_id__questions_next_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                interview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description Server-Sent Events (`text/event-stream`), in order:
             *
             *     * `started` — `{"position": int, "kind": str, "competency": str}` right away
             *     * `token` — `{"text": str}` pieces of the question, once it passed validation (a rejected output is never shown)
             *     * `done` — `{"question_id": uuid, "position": int, "kind": str, "text": str, "source": "generated" | "follow_up" |
             *       "bank", "competency": str}`: the question is stored
             *     * `error` — `{"message": str, "code": "model_unavailable" | "model_timeout" | "bad_output" | "internal"}`:
             *       nothing was stored; ask again
             *
             *     Closing the connection cancels generation and frees the model server's slot.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": unknown;
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict with the interview's current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_report_api_interviews__interview_id__report_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                interview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReportOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    media_offer_api_media_offer_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OfferIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnswerSdp"];
                };
            };
            /** @description Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description A required service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    get_models_api_models_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelsOut"];
                };
            };
        };
    };
    get_progress_api_progress_get: {
        parameters: {
            query?: {
                /** @description The candidate's IANA time zone: what 'today' and each interview's day mean (default UTC) */
                tz?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProgressOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationErrorOut"];
                };
            };
        };
    };
    start_practice_api_progress_practice_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PracticeIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InterviewOut"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict with the interview's current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationErrorOut"];
                };
            };
        };
    };
    submit_answer_api_questions__question_id__answer_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                question_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AnswerIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnswerAccepted"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not found (or not yours) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict with the interview's current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    upload_resume_api_uploads_resume_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_upload_resume_api_uploads_resume_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResumeText"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationErrorOut"];
                };
            };
        };
    };
}
