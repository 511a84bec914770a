//! The one diesel schema, shared by SQLite and PostgreSQL (kept in step with
//! `migrations/{sqlite,postgres}`; a test checks the columns against both databases).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        role -> Text,
        languages -> Text,
        password_hash -> Text,
        active -> Bool,
        must_change_password -> Bool,
        token_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        totp_secret -> Nullable<Text>,
        totp_enabled -> Bool,
        capacity -> Integer,
        cleared_for_restricted -> Bool,
        time_zone -> Text,
        totp_last_step -> Nullable<BigInt>,
        must_enrol_totp -> Bool,
    }
}

diesel::table! {
    shifts (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    check_ins (id) {
        id -> Text,
        shift_id -> Text,
        user_id -> Text,
        fit -> Bool,
        private_note -> Nullable<Text>,
        checked_at -> Timestamp,
    }
}

diesel::table! {
    rotation (id) {
        id -> Integer,
        period -> Text,
        anchor -> Date,
        member_ids -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assignment_decisions (id) {
        id -> Text,
        case_id -> Text,
        assignee_id -> Nullable<Text>,
        via_standby -> Bool,
        alert_leads -> Bool,
        reasons -> Text,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    auth_failures (key) {
        key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        last_failure_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reply_templates (id) {
        id -> Text,
        language -> Text,
        name -> Text,
        body -> Text,
        active -> Bool,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    console_sessions (id) {
        id -> Text,
        token_hash -> Text,
        user_id -> Text,
        token_version -> Integer,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audience_types (code) {
        code -> Text,
        label -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    service_types (code) {
        code -> Text,
        label -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    beneficiaries (id) {
        id -> Text,
        display_name -> Text,
        verification_status -> Text,
        audience_type -> Nullable<Text>,
        preferred_language -> Nullable<Text>,
        pgp_certificate -> Nullable<Text>,
        pgp_fingerprint -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        erased_at -> Nullable<Timestamp>,
        key_trust -> Nullable<Text>,
        key_provenance -> Nullable<Text>,
        key_pinned_at -> Nullable<Timestamp>,
        key_confirmed_by -> Nullable<Text>,
        key_confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    beneficiary_emails (id) {
        id -> Text,
        beneficiary_id -> Text,
        address -> Text,
        is_primary -> Bool,
        created_at -> Timestamp,
        address_token -> Nullable<Text>,
    }
}

diesel::table! {
    verification_changes (id) {
        id -> Text,
        beneficiary_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        changed_by -> Nullable<Text>,
        reason -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    key_changes (id) {
        id -> Text,
        beneficiary_id -> Text,
        old_fingerprint -> Nullable<Text>,
        new_fingerprint -> Text,
        new_certificate -> Text,
        source -> Text,
        status -> Text,
        recorded_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        provenance -> Text,
    }
}

diesel::table! {
    case_reference_counters (year) {
        year -> Integer,
        last_number -> BigInt,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        reference -> Text,
        beneficiary_id -> Text,
        status -> Text,
        urgency -> Text,
        priority -> Text,
        summary -> Text,
        service_type -> Nullable<Text>,
        threat_type -> Nullable<Text>,
        imminent_risk -> Bool,
        sensitivity -> Text,
        assignee_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        first_response_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_status_changes (id) {
        id -> Text,
        case_id -> Text,
        from_status -> Text,
        to_status -> Text,
        reopen -> Bool,
        changed_by -> Nullable<Text>,
        note -> Nullable<Text>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    third_parties (id) {
        id -> Text,
        case_id -> Text,
        organisation -> Text,
        contact_name -> Nullable<Text>,
        role -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        pgp_certificate -> Nullable<Text>,
        pgp_fingerprint -> Nullable<Text>,
    }
}

diesel::table! {
    beneficiary_words (id) {
        id -> Text,
        beneficiary_id -> Text,
        word -> Text,
    }
}

diesel::table! {
    case_words (id) {
        id -> Text,
        case_id -> Text,
        word -> Text,
    }
}

diesel::table! {
    case_reads (id) {
        id -> Text,
        user_id -> Text,
        case_id -> Text,
        read_at -> Timestamp,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        case_id -> Text,
        direction -> Text,
        party -> Text,
        third_party_id -> Nullable<Text>,
        channel -> Text,
        subject -> Text,
        body -> Text,
        message_id -> Nullable<Text>,
        in_reply_to -> Nullable<Text>,
        encrypted -> Bool,
        signature_status -> Text,
        signer_fingerprint -> Nullable<Text>,
        delivery_status -> Nullable<Text>,
        author_id -> Nullable<Text>,
        created_at -> Timestamp,
        gateway_notes -> Nullable<Text>,
        sender_address -> Nullable<Text>,
        sender_name -> Nullable<Text>,
        message_id_token -> Nullable<Text>,
    }
}

diesel::table! {
    evidence_blobs (sha256) {
        sha256 -> Text,
        size -> BigInt,
        content -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        case_id -> Text,
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        original_name -> Text,
        description -> Nullable<Text>,
        added_by -> Nullable<Text>,
        added_at -> Timestamp,
        submitted_name -> Nullable<Text>,
        message_id -> Nullable<Text>,
    }
}

diesel::table! {
    indicators (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        value -> Text,
        original_value -> Text,
        note -> Nullable<Text>,
        first_seen -> Timestamp,
        last_seen -> Timestamp,
        added_by -> Nullable<Text>,
        created_at -> Timestamp,
        value_token -> Text,
    }
}

diesel::table! {
    case_links (id) {
        id -> Text,
        source_case_id -> Text,
        target_case_id -> Text,
        kind -> Text,
        note -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    actions (id) {
        id -> Text,
        case_id -> Text,
        description -> Text,
        taken_by -> Nullable<Text>,
        taken_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> Text,
        case_id -> Text,
        author_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    next_steps (id) {
        id -> Text,
        case_id -> Text,
        description -> Text,
        due_on -> Nullable<Date>,
        done -> Bool,
        done_at -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    risk_assessments (id) {
        id -> Text,
        case_id -> Text,
        risk_name -> Text,
        threats -> Integer,
        vulnerabilities -> Integer,
        capacities -> Integer,
        score -> Double,
        notes -> Nullable<Text>,
        assessed_by -> Nullable<Text>,
        assessed_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        case_id -> Nullable<Text>,
        target_kind -> Nullable<Text>,
        target_id -> Nullable<Text>,
        details -> Text,
    }
}

diesel::table! {
    mail_receipts (id) {
        id -> Text,
        message_id_header -> Text,
        body_sha256 -> Text,
        raw_sha256 -> Text,
        source -> Text,
        outcome -> Text,
        case_id -> Nullable<Text>,
        message_row_id -> Nullable<Text>,
        quarantine_id -> Nullable<Text>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    mail_quarantine (id) {
        id -> Text,
        received_at -> Timestamp,
        source -> Text,
        reason_code -> Text,
        reason -> Text,
        from_address -> Nullable<Text>,
        subject -> Text,
        message_id_header -> Nullable<Text>,
        raw_sha256 -> Text,
        size -> BigInt,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        resolution -> Nullable<Text>,
        resolution_note -> Nullable<Text>,
        case_id -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (message_row_id) {
        message_row_id -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    escalations (id) {
        id -> Text,
        case_id -> Nullable<Text>,
        shift_id -> Nullable<Text>,
        kind -> Text,
        level -> Text,
        reason -> Text,
        due_at -> Timestamp,
        raised_at -> Timestamp,
        acknowledged_by -> Nullable<Text>,
        acknowledged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        escalation_id -> Text,
        channel -> Text,
        recipient -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    erasures (id) {
        id -> Text,
        case_id -> Text,
        policy -> Text,
        policy_detail -> Text,
        requested_by -> Nullable<Text>,
        erased -> Text,
        beneficiary_erased -> Bool,
        erased_at -> Timestamp,
    }
}

diesel::joinable!(cases -> beneficiaries (beneficiary_id));
diesel::joinable!(indicators -> cases (case_id));
diesel::joinable!(beneficiary_emails -> beneficiaries (beneficiary_id));
diesel::joinable!(evidence -> cases (case_id));
diesel::joinable!(check_ins -> shifts (shift_id));

diesel::table! {
    taxonomy_labels (id) {
        id -> Text,
        taxonomy -> Text,
        code -> Text,
        language -> Text,
        label -> Text,
    }
}

diesel::table! {
    data_keys (owner) {
        owner -> Text,
        wrapped -> Text,
        master_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    protection (id) {
        id -> Integer,
        level -> Integer,
        updated_at -> Timestamp,
        shred_epoch -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    data_keys,
    protection,
    users,
    audience_types,
    service_types,
    beneficiaries,
    beneficiary_emails,
    beneficiary_words,
    verification_changes,
    key_changes,
    case_reference_counters,
    cases,
    case_status_changes,
    third_parties,
    messages,
    evidence_blobs,
    evidence,
    indicators,
    case_links,
    actions,
    comments,
    next_steps,
    risk_assessments,
    audit_events,
    refresh_tokens,
    console_sessions,
    case_reads,
    case_words,
    reply_templates,
    shifts,
    check_ins,
    rotation,
    assignment_decisions,
    mail_receipts,
    mail_quarantine,
    outbox,
    escalations,
    notifications,
    erasures,
    taxonomy_labels,
);
