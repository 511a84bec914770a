//! Fixtures shared by the store tests. Names and addresses are invented.
#![allow(dead_code)]

use rempart_core::{EmailAddress, Languages, Role};
use rempart_store::DbConn;
use rempart_store::beneficiaries::{Beneficiary, NewBeneficiary};
use rempart_store::cases::{Case, NewCase};
use rempart_store::users::{NewUser, User};

pub fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).expect("valid test address")
}

pub fn user(conn: &mut DbConn, address: &str, role: Role) -> User {
    User::create(
        conn,
        NewUser {
            email: email(address),
            display_name: format!("Staff {address}"),
            role,
            languages: Languages::parse("fr,en").expect("languages"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
            must_change_password: false,
        },
        None,
    )
    .expect("create user")
}

pub fn beneficiary(conn: &mut DbConn, address: &str) -> Beneficiary {
    Beneficiary::create(
        conn,
        NewBeneficiary {
            display_name: "Collectif Exemple".to_owned(),
            emails: vec![email(address)],
            audience_type: Some(rempart_core::TaxonomyCode::parse("journalist").expect("code")),
            preferred_language: Some(rempart_core::LanguageTag::parse("fr").expect("tag")),
        },
        None,
    )
    .expect("create beneficiary")
}

pub fn case(conn: &mut DbConn, beneficiary_id: &str, summary: &str) -> Case {
    Case::create(conn, NewCase::new(beneficiary_id, summary), None).expect("create case")
}
