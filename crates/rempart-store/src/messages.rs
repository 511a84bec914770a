//! A message's whole life: stored on its case (inbound, outbound, a call noted by hand),
//! a reply queued in the outbox, claimed by a sending worker under a lease, sent, retried,
//! held for want of a key and released when one is confirmed, or given up.

use crate::audit::{Audit, AuditEvent};
use crate::case_items::{ThirdParty, attach};
use crate::cases::Case;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::messages;
use crate::sealing::{Owner, Protected, Sealer, open_case_row, open_field, open_field_opt};
use crate::util::{Parsed, new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{Channel, DeliveryStatus, Direction, Fingerprint, Party, SignatureStatus};
use serde::Serialize;

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
    /// Opened from the sealed column (`stored_signer`) when the row is opened.
    #[diesel(deserialize_as = crate::util::ClearOnly<Fingerprint>)]
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
    /// `signer_fingerprint` as stored (sealed: a fingerprint leads to its owner), opened
    /// into it by [`Protected::open_with`].
    #[diesel(column_name = signer_fingerprint)]
    #[serde(skip)]
    pub(crate) stored_signer: Option<String>,
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
    /// The blind-index token of `message_id` ([`message_id_token`]).
    pub message_id_token: Option<String>,
}

/// The blind index's domain of Message-IDs.
pub const MESSAGE_ID_DOMAIN: &str = "message-id";

/// The token that finds a message by its RFC 5322 Message-ID (as received or sent).
pub fn message_id_token(index: &rempart_vault::IndexKey, message_id: &str) -> String {
    index.token(MESSAGE_ID_DOMAIN, message_id)
}

/// Largest message body kept as text (10 MiB); larger content belongs in evidence.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

impl Message {
    /// When each of `case_ids` last heard from its beneficiary (cases never written to by
    /// them are absent): how long they have been waiting for the helpline.
    pub fn last_from_beneficiary(conn: &mut DbConn, case_ids: &[String]) -> StoreResult<Vec<(String, NaiveDateTime)>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, Option<NaiveDateTime>)> = messages::table
            .filter(messages::case_id.eq_any(case_ids))
            .filter(messages::direction.eq(Direction::Inbound.as_str()))
            .filter(messages::party.eq(Party::Beneficiary.as_str()))
            .group_by(messages::case_id)
            .select((messages::case_id, diesel::dsl::max(messages::created_at)))
            .load(conn)?;
        Ok(rows.into_iter().filter_map(|(id, at)| Some((id, at?))).collect())
    }

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
            let mut form = MessageInsertForm {
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
                message_id_token: None,
            };
            crate::case_words::add(conn, &form.case_id, &[&form.subject, &form.body])?;
            if let Some(id) = &form.message_id {
                form.message_id_token = Some(message_id_token(&crate::sealing::index_key(conn)?, id));
            }
            let key = crate::sealing::key(conn, Owner::Case(&new.case_id))?;
            form.seal(&key);
            diesel::insert_into(messages::table).values(&form).execute(conn)?;
            if new.direction == Direction::Outbound
                && new.channel == Channel::Email
                && delivery_status == Some(DeliveryStatus::Queued)
            {
                // Durable: the reply (to the beneficiary or a third party) and its place in
                // the outbox commit together.
                Outbox::enqueue(conn, &form.id, at)?;
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
        let row: Message = messages::table
            .find(id)
            .select(Message::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("message", id))?;
        let case_id = row.case_id.clone();
        open_case_row(conn, &case_id, row)
    }

    /// The message carrying this RFC 5322 Message-ID, if any (threading, deduplication).
    pub fn find_by_message_id(conn: &mut DbConn, message_id: &str) -> StoreResult<Option<Message>> {
        let token = message_id_token(&crate::sealing::index_key(conn)?, message_id);
        let row: Option<Message> = messages::table
            .filter(messages::message_id_token.eq(token))
            .order(messages::created_at.asc())
            .select(Message::as_select())
            .first(conn)
            .optional()?;
        row.map(|row| {
            let case_id = row.case_id.clone();
            open_case_row(conn, &case_id, row)
        })
        .transpose()
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

crate::util::items_of_case!(Message, messages, created_at);

impl MessageInsertForm {
    /// Seals what identifies or narrates: subject, body, the gateway's notes, From.
    pub fn seal(&mut self, key: &Sealer) {
        let id = self.id.clone();
        self.subject = key.seal("messages", "subject", &id, &self.subject);
        self.body = key.seal("messages", "body", &id, &self.body);
        self.gateway_notes = key.seal_opt("messages", "gateway_notes", &id, self.gateway_notes.as_deref());
        self.sender_address = key.seal_opt("messages", "sender_address", &id, self.sender_address.as_deref());
        self.sender_name = key.seal_opt("messages", "sender_name", &id, self.sender_name.as_deref());
        self.message_id = key.seal_opt("messages", "message_id", &id, self.message_id.as_deref());
        self.in_reply_to = key.seal_opt("messages", "in_reply_to", &id, self.in_reply_to.as_deref());
        self.signer_fingerprint =
            key.seal_opt("messages", "signer_fingerprint", &id, self.signer_fingerprint.as_deref());
    }
}

impl Protected for Message {
    fn open_with(mut self, key: Option<&Sealer>) -> StoreResult<Self> {
        let id = self.id.clone();
        open_field(key, "messages", "subject", &id, &mut self.subject)?;
        open_field(key, "messages", "body", &id, &mut self.body)?;
        open_field_opt(key, "messages", "gateway_notes", &id, &mut self.gateway_notes)?;
        open_field_opt(key, "messages", "sender_address", &id, &mut self.sender_address)?;
        open_field_opt(key, "messages", "sender_name", &id, &mut self.sender_name)?;
        open_field_opt(key, "messages", "message_id", &id, &mut self.message_id)?;
        open_field_opt(key, "messages", "in_reply_to", &id, &mut self.in_reply_to)?;
        if let Some(stored) = self.stored_signer.take() {
            let opened = crate::sealing::open_or_erased(key, "messages", "signer_fingerprint", &id, &stored)?;
            self.signer_fingerprint = if opened.is_empty() {
                None
            } else {
                Some(
                    Fingerprint::parse(&opened)
                        .map_err(|e| StoreError::Unreadable(format!("messages.signer_fingerprint of {id}: {e}")))?,
                )
            };
        }
        Ok(self)
    }
}

pub use crate::outbox::{Attempt, Outbox, OutboxEntry, SentAs};
