//! What a case accumulates: messages, third-party contacts, links to other cases,
//! actions taken, internal comments, next steps and risk assessments.

use crate::audit::{Audit, AuditEvent};
use crate::cases::Case;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{actions, case_links, comments, messages, next_steps, risk_assessments, third_parties};
use crate::util::{Parsed, new_id, now, optional_text, required_text};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::{
    Channel, DeliveryStatus, Direction, EmailAddress, Fingerprint, LinkKind, Party, RiskFactors, SignatureStatus,
    ThirdPartyRole,
};
use serde::Serialize;

/// Adds one item to a case in a write transaction: the case must exist, `insert` writes
/// the row under a fresh id, then the case version is bumped and the audit event written.
fn add_to_case<T>(
    conn: &mut DbConn,
    case_id: &str,
    actor: Option<&str>,
    (action, kind): (&str, &str),
    details: String,
    insert: impl FnOnce(&mut DbConn, &str) -> QueryResult<usize>,
    load: impl FnOnce(&mut DbConn, &str) -> StoreResult<T>,
) -> StoreResult<T> {
    conn.write(|conn| {
        Case::get(conn, case_id)?;
        let id = new_id();
        insert(conn, &id)?;
        attach(conn, case_id, actor, action, (kind, &id), details)?;
        load(conn, &id)
    })
}

/// Records an audited write on a case: bumps the case version and writes the trail entry.
fn attach(
    conn: &mut DbConn,
    case_id: &str,
    actor: Option<&str>,
    action: &str,
    target: (&str, &str),
    details: String,
) -> StoreResult<()> {
    Case::touch(conn, case_id)?;
    AuditEvent::record(conn, Audit { actor, action, case_id: Some(case_id), target: Some(target), details })
}

// ---------------------------------------------------------------------------- messages

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: String,
    pub case_id: String,
    #[diesel(deserialize_as = String)]
    pub direction: Direction,
    #[diesel(deserialize_as = String)]
    pub party: Party,
    pub third_party_id: Option<String>,
    #[diesel(deserialize_as = String)]
    pub channel: Channel,
    pub subject: String,
    pub body: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub encrypted: bool,
    #[diesel(deserialize_as = String)]
    pub signature_status: SignatureStatus,
    #[diesel(deserialize_as = Parsed<Fingerprint>)]
    pub signer_fingerprint: Option<Fingerprint>,
    #[diesel(deserialize_as = Parsed<DeliveryStatus>)]
    pub delivery_status: Option<DeliveryStatus>,
    pub author_id: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
    /// What the mail gateway noticed about this message (repairs, undecryptable parts).
    pub gateway_notes: Option<String>,
    /// Inbound mail: the From address, as received (anyone can write any From).
    pub sender_address: Option<String>,
    /// Inbound mail: the display name of From, as received.
    pub sender_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub case_id: String,
    pub direction: Direction,
    pub party: Party,
    /// Required when `party` is a third party, absent otherwise.
    pub third_party_id: Option<String>,
    pub channel: Channel,
    pub subject: String,
    pub body: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub encrypted: bool,
    pub signature_status: SignatureStatus,
    pub signer_fingerprint: Option<Fingerprint>,
    /// Outbound email only; defaults to `queued` there.
    pub delivery_status: Option<DeliveryStatus>,
    pub gateway_notes: Option<String>,
    /// Inbound mail: From, as received.
    pub sender_address: Option<String>,
    pub sender_name: Option<String>,
}

impl NewMessage {
    /// A plain message with the beneficiary, unsigned and unencrypted.
    pub fn with_beneficiary(
        case_id: impl Into<String>,
        direction: Direction,
        channel: Channel,
        body: impl Into<String>,
    ) -> Self {
        Self {
            case_id: case_id.into(),
            direction,
            party: Party::Beneficiary,
            third_party_id: None,
            channel,
            subject: String::new(),
            body: body.into(),
            message_id: None,
            in_reply_to: None,
            encrypted: false,
            signature_status: SignatureStatus::None,
            signer_fingerprint: None,
            delivery_status: None,
            gateway_notes: None,
            sender_address: None,
            sender_name: None,
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageInsertForm {
    pub id: String,
    pub case_id: String,
    pub direction: String,
    pub party: String,
    pub third_party_id: Option<String>,
    pub channel: String,
    pub subject: String,
    pub body: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub encrypted: bool,
    pub signature_status: String,
    pub signer_fingerprint: Option<String>,
    pub delivery_status: Option<String>,
    pub author_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub gateway_notes: Option<String>,
    pub sender_address: Option<String>,
    pub sender_name: Option<String>,
}

/// Largest message body kept as text (10 MiB); larger content belongs in evidence.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

impl Message {
    /// Records a message. The first outbound message to the beneficiary sets the case's
    /// first-response time.
    pub fn add(conn: &mut DbConn, new: NewMessage, actor: Option<&str>) -> StoreResult<Message> {
        if new.body.len() > MAX_BODY_BYTES {
            return Err(StoreError::invalid("body", "larger than 10 MiB; attach it as evidence"));
        }
        if new.subject.chars().count() > 998 {
            return Err(StoreError::invalid("subject", "longer than 998 characters"));
        }
        let delivery_status = match (new.direction, new.channel, new.delivery_status) {
            (Direction::Inbound, _, Some(_)) => {
                return Err(StoreError::invalid("delivery_status", "only outbound messages have a delivery status"));
            }
            (Direction::Outbound, Channel::Email, None) => Some(DeliveryStatus::Queued),
            (_, _, status) => status,
        };
        conn.write(|conn| {
            Case::get(conn, &new.case_id)?;
            match (new.party, &new.third_party_id) {
                (Party::ThirdParty, Some(tp)) => {
                    let owner = ThirdParty::get(conn, tp)?.case_id;
                    if owner != new.case_id {
                        return Err(StoreError::invalid("third_party_id", "belongs to another case"));
                    }
                }
                (Party::ThirdParty, None) => {
                    return Err(StoreError::invalid("third_party_id", "required for a message with a third party"));
                }
                (Party::Beneficiary, Some(_)) => {
                    return Err(StoreError::invalid("third_party_id", "only for messages with a third party"));
                }
                (Party::Beneficiary, None) => {}
            }
            let at = now();
            let form = MessageInsertForm {
                id: new_id(),
                case_id: new.case_id.clone(),
                direction: new.direction.into(),
                party: new.party.into(),
                third_party_id: new.third_party_id.clone(),
                channel: new.channel.into(),
                subject: new.subject.trim().to_owned(),
                body: new.body,
                message_id: new.message_id,
                in_reply_to: new.in_reply_to,
                encrypted: new.encrypted,
                signature_status: new.signature_status.into(),
                signer_fingerprint: new.signer_fingerprint.map(String::from),
                delivery_status: delivery_status.map(String::from),
                author_id: actor.map(str::to_owned),
                created_at: at,
                gateway_notes: new.gateway_notes,
                sender_address: new.sender_address.map(|a| a.chars().take(320).collect()),
                sender_name: new.sender_name.map(|n| n.chars().take(300).collect()),
            };
            diesel::insert_into(messages::table).values(&form).execute(conn)?;
            if new.direction == Direction::Outbound
                && new.channel == Channel::Email
                && new.party == Party::Beneficiary
                && delivery_status == Some(DeliveryStatus::Queued)
            {
                // Durable: the reply and its place in the outbox commit together.
                crate::mail::Outbox::enqueue(conn, &form.id, at)?;
            }
            if new.direction == Direction::Outbound && new.party == Party::Beneficiary {
                Case::mark_first_response(conn, &new.case_id, at)?;
            }
            attach(
                conn,
                &new.case_id,
                actor,
                "message.added",
                ("message", &form.id),
                format!("direction={} party={} channel={}", new.direction, new.party, new.channel),
            )?;
            Message::get(conn, &form.id)
        })
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<Message> {
        messages::table
            .find(id)
            .select(Message::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("message", id))
    }

    /// The message carrying this RFC 5322 Message-ID, if any (threading, deduplication).
    pub fn find_by_message_id(conn: &mut DbConn, message_id: &str) -> StoreResult<Option<Message>> {
        Ok(messages::table
            .filter(messages::message_id.eq(message_id))
            .order(messages::created_at.asc())
            .select(Message::as_select())
            .first(conn)
            .optional()?)
    }

    /// Records the delivery outcome of an outbound message.
    pub fn set_delivery_status(conn: &mut DbConn, id: &str, status: DeliveryStatus) -> StoreResult<Message> {
        conn.write(|conn| {
            let message = Message::get(conn, id)?;
            if message.direction != Direction::Outbound {
                return Err(StoreError::invalid("delivery_status", "only outbound messages have a delivery status"));
            }
            diesel::update(messages::table.find(id))
                .set(messages::delivery_status.eq(Some(String::from(status))))
                .execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor: None,
                    action: "message.delivery_status",
                    case_id: Some(&message.case_id),
                    target: Some(("message", id)),
                    details: format!("status={status}"),
                },
            )?;
            Message::get(conn, id)
        })
    }
}

// ---------------------------------------------------------------------- third parties

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = third_parties)]
pub struct ThirdParty {
    pub id: String,
    pub case_id: String,
    pub organisation: String,
    pub contact_name: Option<String>,
    #[diesel(deserialize_as = String)]
    pub role: ThirdPartyRole,
    #[diesel(deserialize_as = Parsed<EmailAddress>)]
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct NewThirdParty {
    pub case_id: String,
    pub organisation: String,
    pub contact_name: Option<String>,
    pub role: ThirdPartyRole,
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = third_parties)]
pub struct ThirdPartyInsertForm {
    pub id: String,
    pub case_id: String,
    pub organisation: String,
    pub contact_name: Option<String>,
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl ThirdParty {
    /// The third party of this case who has this address, if any.
    pub fn find_on_case_by_email(
        conn: &mut DbConn,
        case_id: &str,
        address: &EmailAddress,
    ) -> StoreResult<Option<ThirdParty>> {
        Ok(third_parties::table
            .filter(third_parties::case_id.eq(case_id))
            .filter(third_parties::email.eq(address.as_str()))
            .select(ThirdParty::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn add(conn: &mut DbConn, new: NewThirdParty, actor: Option<&str>) -> StoreResult<ThirdParty> {
        let mut form = ThirdPartyInsertForm {
            id: String::new(),
            case_id: new.case_id.clone(),
            organisation: required_text("organisation", &new.organisation, 300)?,
            contact_name: optional_text("contact_name", new.contact_name.as_deref(), 300)?,
            role: new.role.into(),
            email: new.email.map(String::from),
            phone: optional_text("phone", new.phone.as_deref(), 64)?,
            notes: optional_text("notes", new.notes.as_deref(), 10_000)?,
            created_by: actor.map(str::to_owned),
            created_at: now(),
        };
        add_to_case(
            conn,
            &new.case_id,
            actor,
            ("third_party.added", "third_party"),
            format!("role={}", new.role),
            |conn, id| {
                form.id = id.to_owned();
                diesel::insert_into(third_parties::table).values(&form).execute(conn)
            },
            ThirdParty::get,
        )
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<ThirdParty> {
        third_parties::table
            .find(id)
            .select(ThirdParty::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("third party", id))
    }
}

// ------------------------------------------------------------------------- case links

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = case_links)]
pub struct CaseLink {
    pub id: String,
    pub source_case_id: String,
    pub target_case_id: String,
    #[diesel(deserialize_as = String)]
    pub kind: LinkKind,
    pub note: Option<String>,
    pub created_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_links)]
pub struct CaseLinkInsertForm {
    pub id: String,
    pub source_case_id: String,
    pub target_case_id: String,
    pub kind: String,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl CaseLink {
    /// Links `source` to `target`: `parent_of` reads "source is the parent of target",
    /// `duplicate_of` "source duplicates target". `related` is symmetric.
    pub fn add(
        conn: &mut DbConn,
        source: &str,
        target: &str,
        kind: LinkKind,
        note: Option<&str>,
        actor: Option<&str>,
    ) -> StoreResult<CaseLink> {
        if source == target {
            return Err(StoreError::invalid("target_case_id", "a case cannot be linked to itself"));
        }
        let form = CaseLinkInsertForm {
            id: new_id(),
            source_case_id: source.to_owned(),
            target_case_id: target.to_owned(),
            kind: kind.into(),
            note: optional_text("note", note, 2000)?,
            created_by: actor.map(str::to_owned),
            created_at: now(),
        };
        conn.write(|conn| {
            Case::get(conn, source)?;
            Case::get(conn, target)?;
            let existing: i64 = case_links::table
                .filter(case_links::kind.eq(kind.as_str()))
                .filter(
                    (case_links::source_case_id.eq(source).and(case_links::target_case_id.eq(target)))
                        .or(case_links::source_case_id.eq(target).and(case_links::target_case_id.eq(source))),
                )
                .count()
                .get_result(conn)?;
            if existing > 0 {
                return Err(StoreError::Conflict(format!("the cases are already linked as {kind}")));
            }
            diesel::insert_into(case_links::table).values(&form).execute(conn)?;
            Case::touch(conn, target)?;
            attach(conn, source, actor, "case_link.added", ("case", target), format!("kind={kind}"))?;
            Ok(case_links::table.find(&form.id).select(CaseLink::as_select()).first(conn)?)
        })
    }

    /// Links where the case is either end.
    pub fn for_case(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<CaseLink>> {
        Ok(case_links::table
            .filter(case_links::source_case_id.eq(case_id).or(case_links::target_case_id.eq(case_id)))
            .order((case_links::created_at.asc(), case_links::id.asc()))
            .select(CaseLink::as_select())
            .load(conn)?)
    }
}

// ---------------------------------------------------------------------------- actions

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = actions)]
pub struct Action {
    pub id: String,
    pub case_id: String,
    pub description: String,
    pub taken_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub taken_at: NaiveDateTime,
}

impl Action {
    /// Records a measure taken on the case, by the actor, now.
    pub fn add(conn: &mut DbConn, case_id: &str, description: &str, actor: Option<&str>) -> StoreResult<Action> {
        let description = required_text("description", description, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("action.added", "action"),
            String::new(),
            |conn, id| {
                diesel::insert_into(actions::table)
                    .values((
                        actions::id.eq(id),
                        actions::case_id.eq(case_id),
                        actions::description.eq(description),
                        actions::taken_by.eq(actor),
                        actions::taken_at.eq(now()),
                    ))
                    .execute(conn)
            },
            |conn, id| Ok(actions::table.find(id).select(Action::as_select()).first(conn)?),
        )
    }
}

// --------------------------------------------------------------------------- comments

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: String,
    pub case_id: String,
    pub author_id: Option<String>,
    pub body: String,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

impl Comment {
    /// An internal note of the people handling the case; never sent to anyone.
    pub fn add(conn: &mut DbConn, case_id: &str, body: &str, actor: Option<&str>) -> StoreResult<Comment> {
        let body = required_text("text", body, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("comment.added", "comment"),
            String::new(),
            |conn, id| {
                diesel::insert_into(comments::table)
                    .values((
                        comments::id.eq(id),
                        comments::case_id.eq(case_id),
                        comments::author_id.eq(actor),
                        comments::body.eq(body),
                        comments::created_at.eq(now()),
                    ))
                    .execute(conn)
            },
            |conn, id| Ok(comments::table.find(id).select(Comment::as_select()).first(conn)?),
        )
    }
}

// ------------------------------------------------------------------------- next steps

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = next_steps)]
pub struct NextStep {
    pub id: String,
    pub case_id: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub done: bool,
    #[serde(with = "rempart_core::utc::option")]
    pub done_at: Option<NaiveDateTime>,
    pub created_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

impl NextStep {
    pub fn add(
        conn: &mut DbConn,
        case_id: &str,
        description: &str,
        due_on: Option<NaiveDate>,
        actor: Option<&str>,
    ) -> StoreResult<NextStep> {
        let description = required_text("description", description, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("next_step.added", "next_step"),
            String::new(),
            |conn, id| {
                diesel::insert_into(next_steps::table)
                    .values((
                        next_steps::id.eq(id),
                        next_steps::case_id.eq(case_id),
                        next_steps::description.eq(description),
                        next_steps::due_on.eq(due_on),
                        next_steps::done.eq(false),
                        next_steps::created_by.eq(actor),
                        next_steps::created_at.eq(now()),
                    ))
                    .execute(conn)
            },
            NextStep::get,
        )
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<NextStep> {
        next_steps::table
            .find(id)
            .select(NextStep::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("next step", id))
    }

    /// Marks a step done (or not done again).
    pub fn set_done(conn: &mut DbConn, id: &str, done: bool, actor: Option<&str>) -> StoreResult<NextStep> {
        conn.write(|conn| {
            let step = NextStep::get(conn, id)?;
            diesel::update(next_steps::table.find(id))
                .set((next_steps::done.eq(done), next_steps::done_at.eq(done.then(now))))
                .execute(conn)?;
            attach(conn, &step.case_id, actor, "next_step.updated", ("next_step", id), format!("done={done}"))?;
            NextStep::get(conn, id)
        })
    }
}

// ------------------------------------------------------------------- risk assessments

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = risk_assessments)]
pub struct RiskAssessment {
    pub id: String,
    pub case_id: String,
    pub risk_name: String,
    pub threats: i32,
    pub vulnerabilities: i32,
    pub capacities: i32,
    /// threats x vulnerabilities / capacities, computed here, never supplied.
    pub score: f64,
    pub notes: Option<String>,
    pub assessed_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub assessed_at: NaiveDateTime,
}

impl RiskAssessment {
    /// Scores a named risk. Earlier assessments stay: the history shows the trend.
    pub fn add(
        conn: &mut DbConn,
        case_id: &str,
        risk_name: &str,
        factors: RiskFactors,
        notes: Option<&str>,
        actor: Option<&str>,
    ) -> StoreResult<RiskAssessment> {
        let risk_name = required_text("risk_name", risk_name, 300)?;
        let notes = optional_text("notes", notes, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("risk.assessed", "risk_assessment"),
            format!("score={:.2}", factors.score()),
            |conn, id| {
                diesel::insert_into(risk_assessments::table)
                    .values((
                        risk_assessments::id.eq(id),
                        risk_assessments::case_id.eq(case_id),
                        risk_assessments::risk_name.eq(&risk_name),
                        risk_assessments::threats.eq(i32::from(factors.threats())),
                        risk_assessments::vulnerabilities.eq(i32::from(factors.vulnerabilities())),
                        risk_assessments::capacities.eq(i32::from(factors.capacities())),
                        risk_assessments::score.eq(factors.score()),
                        risk_assessments::notes.eq(notes),
                        risk_assessments::assessed_by.eq(actor),
                        risk_assessments::assessed_at.eq(now()),
                    ))
                    .execute(conn)
            },
            |conn, id| Ok(risk_assessments::table.find(id).select(RiskAssessment::as_select()).first(conn)?),
        )
    }
}

crate::util::items_of_case!(Message, messages, created_at);

crate::util::items_of_case!(ThirdParty, third_parties, created_at);

crate::util::items_of_case!(Action, actions, taken_at);

crate::util::items_of_case!(Comment, comments, created_at);

crate::util::items_of_case!(NextStep, next_steps, created_at);

crate::util::items_of_case!(RiskAssessment, risk_assessments, assessed_at);
