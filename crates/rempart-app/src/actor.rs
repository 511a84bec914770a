//! Who is acting: a member of staff with their role, or the system (mail intake, timers).

use rempart_core::Role;

/// The one on whose behalf an operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in member of staff (an active account; the adapters check the session).
    Staff { id: String, role: Role },
    /// Rempart itself: the mail gateway filing a case, the rota's timers, the command line
    /// run by the server's operator.
    System,
}

impl Actor {
    pub fn staff(id: impl Into<String>, role: Role) -> Self {
        Self::Staff { id: id.into(), role }
    }

    /// The account acting, if a person is.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Staff { id, .. } => Some(id),
            Self::System => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Self::Staff { role, .. } => Some(*role),
            Self::System => None,
        }
    }

    /// Leads and admins supervise (reassign, see restricted cases and the team's load);
    /// so does the system.
    pub(crate) fn supervises(&self) -> bool {
        matches!(self.role(), None | Some(Role::Lead | Role::Admin))
    }

    /// The active account with this address, acting in its own name: how the command line
    /// acts for a person (`--by`). A disabled or unknown account is not found.
    pub fn named(conn: &mut rempart_store::DbConn, email: &rempart_core::EmailAddress) -> crate::AppResult<Self> {
        match rempart_store::users::User::find_by_email(conn, email)? {
            Some(user) if user.active => Ok(Self::staff(user.id, user.role)),
            _ => Err(crate::AppError::not_found(format!("active account {email}"))),
        }
    }

    /// Whether `user` is the acting person.
    pub fn is(&self, user: Option<&str>) -> bool {
        user.is_some() && self.id() == user
    }
}
