//! The authorization table itself, shared by the layer's test (rempart-app) and the HTTP
//! test through the REST API (rempart-api), so that the adapter cannot drift from it.
#![allow(dead_code)]

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Y,
    N,
    F,
}

/// Where the case stands relative to the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    /// Normal, assigned to the actor.
    Own,
    /// Normal, assigned to a colleague.
    Colleagues,
    /// Normal, nobody's yet.
    Unassigned,
    /// Restricted, assigned to a colleague.
    RestrictedColleagues,
    /// Restricted, assigned to the actor.
    RestrictedOwn,
    /// Closed and erased on request, once a colleague's.
    Erased,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `cases::visible`: read the case and everything under it.
    See,
    /// `cases::may_restrict`.
    Restrict,
    /// `cases::may_assign` to a colleague.
    HandOn,
    /// `cases::may_assign` to oneself.
    Take,
    /// `cases::may_assign` with an override reason.
    Override,
    /// `beneficiaries::visible` on the case's beneficiary.
    SeeBeneficiary,
    /// `beneficiaries::changeable` on the case's beneficiary, then `keys::enter`.
    ChangeBeneficiary,
    /// `intake::open_case`: another case for the case's beneficiary.
    OpenCase,
    /// `intake::open_case` naming a colleague as the assignee.
    OpenCaseForColleague,
    /// Work on the case: `operations::reply`, `transition`, `comment`, `record_conversation`
    /// and the indicators (over HTTP also actions, whose routes load the case through
    /// `cases::visible`).
    Work,
    /// `operations::erase_case` on the case once closed: leads and administrators, in their
    /// own name (the system has none).
    Erase,
}

use Cell::{F, N, Y};
use Operation::*;
use Situation::*;

/// The specification. Columns: handler, analyst, lead, admin, system.
#[rustfmt::skip]
pub const CASE_TABLE: &[(Operation, Situation, [Cell; 5])] = &[
    // operation             situation               handler analyst lead admin system
    (See,                  Own,                      [Y, Y, Y, Y, Y]),
    (See,                  Colleagues,               [Y, Y, Y, Y, Y]),
    (See,                  Unassigned,               [Y, Y, Y, Y, Y]),
    (See,                  RestrictedColleagues,     [N, N, Y, Y, Y]),
    (See,                  RestrictedOwn,            [Y, Y, Y, Y, Y]),
    (See,                  Erased,                   [Y, Y, Y, Y, Y]),
    (Restrict,             Own,                      [Y, Y, Y, Y, Y]),
    (Restrict,             Colleagues,               [F, F, Y, Y, Y]),
    (Restrict,             Unassigned,               [F, F, Y, Y, Y]),
    (Restrict,             RestrictedColleagues,     [N, N, Y, Y, Y]),
    (Restrict,             RestrictedOwn,            [Y, Y, Y, Y, Y]),
    (HandOn,               Own,                      [Y, Y, Y, Y, Y]),
    (HandOn,               Colleagues,               [F, F, Y, Y, Y]),
    (HandOn,               Unassigned,               [F, F, Y, Y, Y]),
    (HandOn,               RestrictedColleagues,     [N, N, Y, Y, Y]),
    (HandOn,               RestrictedOwn,            [Y, Y, Y, Y, Y]),
    (Take,                 Own,                      [Y, Y, Y, Y, Y]),
    (Take,                 Colleagues,               [F, F, Y, Y, Y]),
    (Take,                 Unassigned,               [Y, Y, Y, Y, Y]),
    (Take,                 RestrictedColleagues,     [N, N, Y, Y, Y]),
    (Override,             Own,                      [F, F, Y, Y, Y]),
    (Override,             Colleagues,               [F, F, Y, Y, Y]),
    (Override,             RestrictedColleagues,     [N, N, Y, Y, Y]),
    (SeeBeneficiary,       Own,                      [Y, Y, Y, Y, Y]),
    (SeeBeneficiary,       Colleagues,               [Y, Y, Y, Y, Y]),
    (SeeBeneficiary,       Unassigned,               [Y, Y, Y, Y, Y]),
    (SeeBeneficiary,       RestrictedColleagues,     [N, N, Y, Y, Y]),
    (SeeBeneficiary,       RestrictedOwn,            [Y, Y, Y, Y, Y]),
    (ChangeBeneficiary,    Own,                      [Y, Y, Y, Y, Y]),
    (ChangeBeneficiary,    Colleagues,               [F, F, Y, Y, Y]),
    (ChangeBeneficiary,    Unassigned,               [F, F, Y, Y, Y]),
    (ChangeBeneficiary,    RestrictedColleagues,     [N, N, Y, Y, Y]),
    (ChangeBeneficiary,    RestrictedOwn,            [Y, Y, Y, Y, Y]),
    (OpenCase,             Own,                      [Y, Y, Y, Y, Y]),
    (OpenCase,             Colleagues,               [Y, Y, Y, Y, Y]),
    (OpenCase,             Unassigned,               [Y, Y, Y, Y, Y]),
    (OpenCase,             RestrictedColleagues,     [N, N, Y, Y, Y]),
    (OpenCase,             RestrictedOwn,            [Y, Y, Y, Y, Y]),
    (OpenCaseForColleague, Unassigned,               [F, F, Y, Y, Y]),
    (Work,                 Own,                      [Y, Y, Y, Y, Y]),
    (Work,                 Colleagues,               [Y, Y, Y, Y, Y]),
    (Work,                 Unassigned,               [Y, Y, Y, Y, Y]),
    (Work,                 RestrictedColleagues,     [N, N, Y, Y, Y]),
    (Work,                 RestrictedOwn,            [Y, Y, Y, Y, Y]),
    (Erase,                Own,                      [F, F, Y, Y, F]),
    (Erase,                Colleagues,               [F, F, Y, Y, F]),
    (Erase,                RestrictedColleagues,     [F, F, Y, Y, F]),
];

/// Capabilities by role. Columns: handler, analyst, lead, admin, system.
#[rustfmt::skip]
pub const CAPABILITY_TABLE: &[(rempart_app::Capability, [Cell; 5])] = &[
    (rempart_app::Capability::Administer,       [F, F, F, Y, Y]),
    (rempart_app::Capability::Supervise,        [F, F, Y, Y, Y]),
    (rempart_app::Capability::ReadStatistics,   [F, Y, Y, Y, Y]),
    (rempart_app::Capability::HandleQuarantine, [Y, F, Y, Y, Y]),
];
