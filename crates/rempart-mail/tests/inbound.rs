//! The inbound pipeline with GnuPG as the beneficiary, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod support;

use rempart_core::{EmailAddress, SignatureStatus};
use rempart_mail::{Gateway, Keyring, Limits, Outcome};
use rempart_store::beneficiaries::Beneficiary;
use rempart_store::cases::Case;
use rempart_store::evidence::Evidence;
use rempart_store::mail::QuarantinedMail;
use rempart_store::messages::Message;
use rempart_test_db::{TestDb, on_both_backends};
use support::{Gpg, autocrypt_header, crlf, pgp_mime, plain, protected_inner};

const HELPLINE: &str = "help@helpline.example";

struct World {
    gateway: Gateway,
    ana: Gpg,
}

fn world() -> World {
    let keyring = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(keyring.public_armored().unwrap().as_bytes());
    World { gateway: Gateway { keyring: Some(keyring), limits: Limits::default(), ..Default::default() }, ana }
}

fn stored(outcome: Outcome) -> (String, String, bool) {
    match outcome {
        Outcome::Stored { case_id, message_id, new_case, .. } => (case_id, message_id, new_case),
        other => panic!("expected the message to be stored, got {other:?}"),
    }
}

/// Thunderbird's first message: PGP/MIME, encrypted and signed, protected subject, its key
/// in an Autocrypt header. Then a reply with the case reference in the protected subject.
fn pgp_mime_first_contact_then_reply(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let inner = protected_inner("Mon compte Signal a été volé", "Bonjour,\nquelqu'un a pris mon compte.");
    let armored = w.ana.encrypt_sign(HELPLINE, &inner);
    let raw = pgp_mime(&w.ana.email, HELPLINE, "...", "first@example.net", &autocrypt_header(&w.ana), &armored);
    let (case_id, message_id, new_case) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert!(new_case);

    let case = Case::get(&mut conn, &case_id).unwrap();
    assert_eq!(case.summary, "Mon compte Signal a été volé", "the protected subject, never the outer \"...\"");
    let message = Message::get(&mut conn, &message_id).unwrap();
    assert!(message.encrypted);
    assert_eq!(message.body, "Bonjour,\nquelqu'un a pris mon compte.");
    assert_eq!(message.signature_status, SignatureStatus::Good, "signed with the key it brought (first use)");
    assert_eq!(message.signer_fingerprint.as_ref().map(|f| f.as_str().to_owned()), Some(w.ana.fingerprint()));

    let ana = Beneficiary::find_by_email(&mut conn, &EmailAddress::parse(&w.ana.email).unwrap()).unwrap().unwrap();
    assert_eq!(ana.verification_status.to_string(), "unverified");
    assert_eq!(ana.display_name, "Beneficiary");
    assert_eq!(ana.pgp_fingerprint.as_ref().map(|f| f.as_str().to_owned()), Some(w.ana.fingerprint()));

    // The raw message is kept byte for byte as evidence.
    let evidence = Evidence::for_case(&mut conn, &case_id).unwrap();
    let raw_evidence = evidence.iter().find(|e| e.media_type == "message/rfc822").expect("raw message kept");
    assert_eq!(Evidence::content(&mut conn, &raw_evidence.id).unwrap(), raw);

    // The reply threads on the reference in the protected subject.
    let inner = protected_inner(&format!("Re: compte volé [{}]", case.reference), "Merci, j'ai changé mon code.");
    let armored = w.ana.encrypt_sign(HELPLINE, &inner);
    let raw = pgp_mime(&w.ana.email, HELPLINE, "...", "second@example.net", "", &armored);
    let (second_case, message_id, new_case) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert!(!new_case);
    assert_eq!(second_case, case_id);
    let message = Message::get(&mut conn, &message_id).unwrap();
    assert_eq!(message.signature_status, SignatureStatus::Good, "checked against the pinned key");
}

/// Mailvelope / Proton style: inline PGP in a text/plain body, and in an HTML body.
fn inline_pgp_in_text_and_html(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let armored = w.ana.encrypt_sign(HELPLINE, "Mon téléphone est surveillé.".as_bytes());
    let raw = plain(&w.ana.email, "Aide", "inline@example.net", &format!("Voici:\n\n{armored}\n-- \nAna"));
    let (case_id, message_id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let message = Message::get(&mut conn, &message_id).unwrap();
    assert!(message.encrypted);
    assert!(message.body.contains("Mon téléphone est surveillé."), "{}", message.body);
    assert!(message.body.starts_with("Voici:"), "the text around the block is kept");
    assert!(!message.body.contains("BEGIN PGP MESSAGE"));
    // No key was pinned and none was offered: the signer is unknown, and says who it was.
    assert_eq!(message.signature_status, SignatureStatus::UnknownKey);

    let html_body = format!("<html><body><p>Suite</p><pre>{}</pre></body></html>", armored.replace('\n', "<br>\n"));
    let raw = crlf(&format!(
        "From: {}\nSubject: Suite [{}]\nMessage-ID: <html@example.net>\nMIME-Version: 1.0\n\
         Content-Type: text/html; charset=utf-8\n\n{html_body}\n",
        w.ana.email,
        Case::get(&mut conn, &case_id).unwrap().reference
    ))
    .into_bytes();
    let (same_case, message_id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert_eq!(same_case, case_id);
    let message = Message::get(&mut conn, &message_id).unwrap();
    assert!(message.encrypted);
    assert!(message.body.contains("Mon téléphone est surveillé."), "{}", message.body);
    assert!(message.gateway_notes.as_deref().unwrap_or_default().contains("HTML"));

    // Mailvelope style: the same encrypted text in both forms of a multipart/alternative.
    let raw = crlf(&format!(
        "From: {}\nSubject: Les deux\nMessage-ID: <alternative@example.net>\nMIME-Version: 1.0\n\
         Content-Type: multipart/alternative; boundary=\"alt\"\n\n\
         --alt\nContent-Type: text/plain; charset=utf-8\n\n{armored}\n\
         --alt\nContent-Type: text/html; charset=utf-8\n\n{html_body}\n--alt--\n",
        w.ana.email
    ))
    .into_bytes();
    let (_, message_id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let body = Message::get(&mut conn, &message_id).unwrap().body;
    assert_eq!(body.matches("Mon téléphone est surveillé.").count(), 1, "stored once: {body}");
}

/// NUL bytes in a message: the same on both engines. The text is stored without them, the
/// raw message keeps them.
fn nul_bytes_are_left_out_of_the_text_and_kept_raw(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let raw = b"From: \"Bo\x00\" <bo@example.org>\r\nSubject: Nul\x00 ici\r\nMessage-ID: <nul\x00@example.org>\r\n\
        MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAvant\x00apr\xc3\xa8s\r\n"
        .to_vec();
    let (case_id, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!(m.body, "Avantaprès");
    assert_eq!(m.subject, "Nul ici");
    assert!(m.gateway_notes.unwrap_or_default().contains("NUL"));
    let evidence = Evidence::for_case(&mut conn, &case_id).unwrap();
    let raw_kept = evidence.iter().find(|e| e.media_type == "message/rfc822").expect("raw message kept");
    assert_eq!(Evidence::content(&mut conn, &raw_kept.id).unwrap(), raw);
}

fn signed_mime(gpg: &Gpg, subject: &str, message_id: &str, body: &str, tamper: bool) -> Vec<u8> {
    let part = crlf(&format!("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n"));
    let signature = gpg.detach_sign(part.as_bytes());
    let part = if tamper { part.replace("100", "900") } else { part };
    crlf(&format!(
        "From: {}\nTo: {HELPLINE}\nSubject: {subject}\nMessage-ID: <{message_id}>\nMIME-Version: 1.0\n\
         Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"s1\"\n\n\
         --s1\n{part}\n--s1\nContent-Type: application/pgp-signature; name=\"signature.asc\"\n\n{signature}\n--s1--\n",
        gpg.email
    ))
    .into_bytes()
}

/// Signed-only PGP/MIME against the pinned key: good, then tampered (bad), then signed by
/// someone else (unknown key). Every one of them still reaches the case.
fn signed_only_good_bad_and_unknown(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    // Pin Ana's key with a first message that carries it.
    let first = pgp_mime(
        &w.ana.email,
        HELPLINE,
        "...",
        "pin@example.net",
        &autocrypt_header(&w.ana),
        &w.ana.encrypt_sign(HELPLINE, &protected_inner("Bonjour", "clé jointe")),
    );
    stored(w.gateway.ingest(&mut conn, &first, "mailgate").unwrap());

    let raw = signed_mime(&w.ana, "Virement", "signed@example.net", "Envoyez 100 euros.", false);
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!(m.signature_status, SignatureStatus::Good);
    assert!(!m.encrypted);
    assert_eq!(m.body, "Envoyez 100 euros.");

    let raw = signed_mime(&w.ana, "Virement", "tampered@example.net", "Envoyez 100 euros.", true);
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!(m.signature_status, SignatureStatus::Bad, "the body was altered after signing");
    assert!(m.gateway_notes.unwrap_or_default().contains("bad signature"));

    // Mallory signs a message with Ana's From: the pinned key is Ana's, so the key is unknown.
    let mallory = Gpg::new("Mallory", &w.ana.email);
    let raw = signed_mime(&mallory, "Changement", "mallory@example.net", "Nouvelle adresse.", false);
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!(m.signature_status, SignatureStatus::UnknownKey);
    assert_eq!(m.signer_fingerprint.map(|f| f.as_str().to_owned()), Some(mallory.fingerprint()));

    // Cleartext-signed inline (gpg --clearsign) is checked too.
    let raw = plain(&w.ana.email, "Inline", "clearsigned@example.net", &w.ana.clearsign("Tout va bien."));
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!(m.signature_status, SignatureStatus::Good);
    assert!(m.body.contains("Tout va bien."));
    assert!(!m.body.contains("BEGIN PGP"));
}

/// Plain mail, the helpline in Bcc, hidden recipients, Exchange's rewrite.
fn plain_bcc_hidden_recipient_and_exchange(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let raw = plain("Bo <bo@example.org>", "Question", "plain@example.org", "Pas de chiffrement ici.");
    let (_, id, new_case) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert!(new_case);
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!((m.encrypted, m.signature_status), (false, SignatureStatus::None));

    // Bcc: To names someone else; the key packets name the helpline.
    let inner = protected_inner("En copie cachée", "Je vous mets en Bcc.");
    let armored = w.ana.encrypt_sign(HELPLINE, &inner);
    let raw = pgp_mime(&w.ana.email, "friend@example.com", "...", "bcc@example.net", "", &armored);
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert_eq!(Message::get(&mut conn, &id).unwrap().subject, "En copie cachée");

    // Hidden recipient (wildcard key ID): every helpline key is tried.
    let armored = w.ana.encrypt_hidden(HELPLINE, &protected_inner("Caché", "destinataire masqué"));
    let raw = pgp_mime(&w.ana.email, HELPLINE, "...", "hidden@example.net", "", &armored);
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert_eq!(Message::get(&mut conn, &id).unwrap().body, "destinataire masqué");

    // Exchange turns multipart/encrypted into multipart/mixed.
    let armored = w.ana.encrypt_sign(HELPLINE, &protected_inner("Via Exchange", "réécrit"));
    let raw = crlf(&format!(
        "From: {}\nTo: {HELPLINE}\nSubject: ...\nMessage-ID: <exchange@example.net>\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain; charset=us-ascii\n\n\n\
         --x\nContent-Type: application/pgp-encrypted; name=\"PGPMIME version identification\"\n\
         Content-Disposition: attachment; filename=\"PGPMIME version identification\"\n\nVersion: 1\n\n\
         --x\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n\
         Content-Disposition: attachment; filename=\"encrypted.asc\"\n\n{armored}\n--x--\n",
        w.ana.email
    ))
    .into_bytes();
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!((m.subject.as_str(), m.body.as_str()), ("Via Exchange", "réécrit"));
    assert!(m.gateway_notes.unwrap_or_default().contains("repaired"));
}

fn quarantine_of(outcome: Outcome) -> (String, String) {
    match outcome {
        Outcome::Quarantined { quarantine_id, reason_code, .. } => (quarantine_id, reason_code),
        other => panic!("expected quarantine, got {other:?}"),
    }
}

/// What cannot be read is quarantined with its raw bytes, never dropped.
fn unreadable_mail_is_quarantined_with_its_bytes(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    // Encrypted to someone else's key.
    let other = Gpg::new("Other", "other@example.com");
    w.ana.import(other.export().as_bytes());
    let armored = w.ana.encrypt_sign(&other.email, &protected_inner("Pas pour vous", "secret"));
    let raw = pgp_mime(&w.ana.email, HELPLINE, "...", "other@example.net", "", &armored);
    let (qid, code) = quarantine_of(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert_eq!(code, "undecryptable");
    assert_eq!(QuarantinedMail::raw(&mut conn, &qid).unwrap(), raw);
    let item = QuarantinedMail::get(&mut conn, &qid).unwrap();
    assert_eq!(item.from_address.as_deref(), Some("ana@example.net"));
    assert!(item.reason.contains("not encrypted to any helpline key"), "{}", item.reason);

    // Not a message at all.
    let garbage = b"\x00\x01\x02 this is not mail \xff\xfe".to_vec();
    let (qid, code) = quarantine_of(w.gateway.ingest(&mut conn, &garbage, "mailgate").unwrap());
    assert_eq!(code, "malformed");
    assert_eq!(QuarantinedMail::raw(&mut conn, &qid).unwrap(), garbage);

    // A compression bomb: 64 MiB of zeros compress to a few kilobytes.
    let zeros = vec![0u8; 64 * 1024 * 1024];
    let bomb = w.ana.run(&["--armor", "--compress-level", "9", "--encrypt", "--recipient", HELPLINE], &zeros);
    let raw = plain(&w.ana.email, "bomb", "bomb@example.net", std::str::from_utf8(&bomb).unwrap());
    assert!(raw.len() < 1024 * 1024);
    let (_, code) = quarantine_of(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert_eq!(code, "too_large");

    // Oversized raw message.
    let small = Gateway { limits: Limits { max_message_bytes: 1000, ..Limits::default() }, ..w.gateway.clone() };
    let raw = plain(&w.ana.email, "long", "long@example.net", &"x".repeat(2000));
    let (_, code) = quarantine_of(small.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert_eq!(code, "too_large");

    let listed = QuarantinedMail::list(&mut conn, true, 50).unwrap();
    assert_eq!(listed.len(), 4);
}

/// The same message delivered twice (with one more Received line) is stored once.
fn duplicate_delivery_is_stored_once(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let raw = plain("bo@example.org", "Une fois", "dup@example.org", "Une seule fois.");
    let (case_id, _, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let mut again =
        b"Received: from mx2.example.org by mx.helpline.example; Sun, 22 Nov 2026 10:01:00 +0000\r\n".to_vec();
    again.extend_from_slice(&raw);
    match w.gateway.ingest(&mut conn, &again, "imap").unwrap() {
        Outcome::Duplicate { case_id: Some(id), .. } => assert_eq!(id, case_id),
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(Message::for_case(&mut conn, &case_id).unwrap().len(), 1);
}

/// A pinned beneficiary offering another key: recorded as pending, never replaced.
fn a_different_key_is_pending_never_silently_replaced(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let first = pgp_mime(
        &w.ana.email,
        HELPLINE,
        "...",
        "k1@example.net",
        &autocrypt_header(&w.ana),
        &w.ana.encrypt_sign(HELPLINE, &protected_inner("Clé", "première")),
    );
    stored(w.gateway.ingest(&mut conn, &first, "mailgate").unwrap());
    let new_device = Gpg::new("Ana", &w.ana.email);
    new_device.import(w.gateway.keyring.as_ref().unwrap().public_armored().unwrap().as_bytes());
    let raw = pgp_mime(
        &new_device.email,
        HELPLINE,
        "...",
        "k2@example.net",
        &autocrypt_header(&new_device),
        &new_device.encrypt_sign(HELPLINE, &protected_inner("Nouvelle clé", "nouveau téléphone")),
    );
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert_eq!(m.signature_status, SignatureStatus::UnknownKey, "not the pinned key");
    assert!(m.gateway_notes.unwrap_or_default().contains("must accept"));
    let ana = Beneficiary::find_by_email(&mut conn, &EmailAddress::parse(&w.ana.email).unwrap()).unwrap().unwrap();
    assert_eq!(ana.pgp_fingerprint.map(|f| f.as_str().to_owned()), Some(w.ana.fingerprint()), "still the first key");
    let detail = Beneficiary::detail(&mut conn, &ana.id).unwrap();
    assert!(
        detail
            .key_changes
            .iter()
            .any(|k| k.new_fingerprint.as_str() == new_device.fingerprint() && k.status.to_string() == "pending")
    );
}

/// A stranger quoting a case reference does not get into that case.
fn a_reference_from_a_stranger_opens_a_new_case(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let raw = plain("ana@example.net", "Au secours", "a1@example.net", "Premier message.");
    let (case_id, _, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let reference = Case::get(&mut conn, &case_id).unwrap().reference;
    let raw = plain("eve@example.com", &format!("Re: [{reference}]"), "e1@example.com", "Je m'invite.");
    let (other_case, _, new_case) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    assert!(new_case);
    assert_ne!(other_case, case_id);
}

/// Broken charsets and transfer encodings: the message is stored, readable as far as it
/// can be, never dropped.
fn broken_charsets_are_stored_as_well_as_possible(db: TestDb) {
    let w = world();
    let mut conn = db.conn();
    let mut raw = b"From: bo@example.org\r\nSubject: =?x-unknown?Q?Caf=E9?=\r\nMessage-ID: <cs@example.org>\r\n\
        MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 =ZZ cr=\r\n"
        .to_vec();
    raw.extend_from_slice(b"\xff\xfe fin\r\n");
    let (_, id, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &id).unwrap();
    assert!(m.body.contains("Caf") && m.body.contains("fin"), "{:?}", m.body);
}

/// Our Message-IDs travel in clear in every reply's headers: answering one does not put a
/// stranger on the case. Only the beneficiary (any of their addresses) and the case's
/// third parties thread by In-Reply-To; every inbound message keeps its sender.
fn in_reply_to_threads_only_from_people_of_the_case(db: TestDb) {
    use rempart_core::{Channel, DeliveryStatus, Direction, Party, ThirdPartyRole};
    use rempart_store::case_items::{CaseLink, NewThirdParty, ThirdParty};
    use rempart_store::messages::NewMessage;
    let w = world();
    let mut conn = db.conn();
    let raw = plain("\"Ana\" <ana@example.net>", "Au secours", "t1@example.net", "Premier message.");
    let (case_id, first, _) = stored(w.gateway.ingest(&mut conn, &raw, "mailgate").unwrap());
    let m = Message::get(&mut conn, &first).unwrap();
    assert_eq!(m.sender_address.as_deref(), Some("ana@example.net"));
    assert_eq!(m.sender_name.as_deref(), Some("Ana"));
    // Our reply, as sent (its Message-ID is on the wire for anyone to see).
    Message::add(
        &mut conn,
        NewMessage {
            message_id: Some("reply-1@helpline.example".into()),
            delivery_status: Some(DeliveryStatus::Sent),
            ..NewMessage::with_beneficiary(&case_id, Direction::Outbound, Channel::Email, "Nous sommes là.")
        },
        None,
    )
    .unwrap();
    let answer = |from: &str, id: &str, body: &str| {
        let mut raw = String::from_utf8(plain(from, "Re: ...", id, body)).unwrap();
        raw.insert_str(0, "In-Reply-To: <reply-1@helpline.example>\r\nReferences: <reply-1@helpline.example>\r\n");
        raw.into_bytes()
    };

    // A stranger answers our Message-ID: a new case, linked, and the handler is told why.
    let (eve_case, eve_message, new_case) = stored(
        w.gateway
            .ingest(&mut conn, &answer("eve@example.com", "e1@example.com", "C'est moi, Ana."), "mailgate")
            .unwrap(),
    );
    assert!(new_case, "never filed on Ana's case");
    assert_ne!(eve_case, case_id);
    let m = Message::get(&mut conn, &eve_message).unwrap();
    assert_eq!(m.sender_address.as_deref(), Some("eve@example.com"));
    assert!(m.gateway_notes.unwrap_or_default().contains("neither that case's beneficiary"));
    let links = CaseLink::for_case(&mut conn, &eve_case).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].target_case_id, case_id);
    assert_eq!(Message::for_case(&mut conn, &case_id).unwrap().len(), 2, "Ana's case is untouched");

    // A third party of the case answers: filed there, as a third-party message.
    let partner = ThirdParty::add(
        &mut conn,
        NewThirdParty {
            case_id: case_id.clone(),
            organisation: "Partner NGO".into(),
            contact_name: None,
            role: ThirdPartyRole::Partner,
            email: Some(EmailAddress::parse("desk@partner.example").unwrap()),
            phone: None,
            notes: None,
        },
        None,
    )
    .unwrap();
    let (partner_case, partner_message, new_case) = stored(
        w.gateway
            .ingest(&mut conn, &answer("desk@partner.example", "p1@partner.example", "Nous aidons."), "mailgate")
            .unwrap(),
    );
    assert!(!new_case);
    assert_eq!(partner_case, case_id);
    let m = Message::get(&mut conn, &partner_message).unwrap();
    assert_eq!(m.party, Party::ThirdParty);
    assert_eq!(m.third_party_id.as_deref(), Some(partner.id.as_str()));
    assert!(
        Beneficiary::find_by_email(&mut conn, &EmailAddress::parse("desk@partner.example").unwrap()).unwrap().is_none(),
        "a third party is not made a beneficiary"
    );

    // Ana herself, from a second address of hers: on her case.
    let ana = Beneficiary::find_by_email(&mut conn, &EmailAddress::parse("ana@example.net").unwrap()).unwrap().unwrap();
    Beneficiary::add_email(&mut conn, &ana.id, &EmailAddress::parse("ana@other.example").unwrap(), None).unwrap();
    let (ana_case, ana_message, new_case) = stored(
        w.gateway.ingest(&mut conn, &answer("ana@other.example", "a2@other.example", "Merci."), "mailgate").unwrap(),
    );
    assert!(!new_case);
    assert_eq!(ana_case, case_id);
    assert_eq!(Message::get(&mut conn, &ana_message).unwrap().party, Party::Beneficiary);
}

/// Two first messages from one new sender, filed at the same moment (the IMAP fetcher and
/// the spool after an unlock, two `serve`s, two MTA pipes): both are stored. The second
/// transaction to write the new beneficiary's address met the first's (a unique address)
/// and its message was quarantined as a storage failure.
fn two_first_messages_from_one_sender_at_once_are_both_stored(db: TestDb) {
    let gateway = Gateway { limits: Limits::default(), ..Default::default() };
    for round in 0..6 {
        let sender = format!("new{round}@example.org");
        let barrier = std::sync::Barrier::new(2);
        let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|n| {
                    let (gateway, barrier, sender, pool) = (&gateway, &barrier, &sender, db.pool());
                    scope.spawn(move || {
                        let raw = plain(
                            sender,
                            &format!("Premier message {n}"),
                            &format!("r{round}-{n}@example.org"),
                            "Bonjour.",
                        );
                        let mut conn = pool.get().unwrap();
                        barrier.wait();
                        gateway.ingest(&mut conn, &raw, "test").unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for outcome in outcomes {
            assert!(matches!(outcome, Outcome::Stored { .. }), "round {round}: {outcome:?}");
        }
    }
}

on_both_backends!(
    two_first_messages_from_one_sender_at_once_are_both_stored,
    nul_bytes_are_left_out_of_the_text_and_kept_raw,
    in_reply_to_threads_only_from_people_of_the_case,
    broken_charsets_are_stored_as_well_as_possible,
    pgp_mime_first_contact_then_reply,
    inline_pgp_in_text_and_html,
    signed_only_good_bad_and_unknown,
    plain_bcc_hidden_recipient_and_exchange,
    unreadable_mail_is_quarantined_with_its_bytes,
    duplicate_delivery_is_stored_once,
    a_different_key_is_pending_never_silently_replaced,
    a_reference_from_a_stranger_opens_a_new_case,
);
