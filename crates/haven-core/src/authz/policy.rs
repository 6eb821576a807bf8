use std::collections::BTreeSet;

use uuid::Uuid;

use super::role::{Permission, Role};
use super::scope::{LocationScope, ScopeFilter};

/// One role held by a user, optionally narrowed to an agency and a location subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub role: Role,
    pub agency: Option<Uuid>,
    pub location: Option<LocationScope>,
}

/// Who is acting: a signed-in user, or a user through an API token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    pub grants: Vec<RoleGrant>,
    /// An API token's narrower scopes; `None` means the user's full role permissions.
    pub token_permissions: Option<BTreeSet<Permission>>,
}

/// Proof that a decision allowed `permission` for `user_id`, with the filter every list
/// query under it must apply. Only [`decide`] makes one.
#[derive(Debug, Clone)]
pub struct Access {
    user_id: Uuid,
    permission: Permission,
    filter: ScopeFilter,
}

impl Access {
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }
    pub fn permission(&self) -> Permission {
        self.permission
    }
    pub fn filter(&self) -> &ScopeFilter {
        &self.filter
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("no role grants the permission {0:?}")]
    MissingPermission(Permission),
    #[error("the API token's scopes do not include {0:?}")]
    OutsideTokenScope(Permission),
    #[error("granting the PSEA focal point role needs another PSEA focal point")]
    NeedsPseaFocalPoint,
    #[error("nobody may grant a role to themselves")]
    SelfGrant,
}

impl Principal {
    pub fn roles(&self) -> BTreeSet<Role> {
        self.grants.iter().map(|g| g.role).collect()
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn permissions(&self) -> BTreeSet<Permission> {
        let from_roles: BTreeSet<Permission> =
            self.grants.iter().flat_map(|g| g.role.permissions().iter().copied()).collect();
        match &self.token_permissions {
            Some(narrowed) => from_roles.intersection(narrowed).copied().collect(),
            None => from_roles,
        }
    }
}

/// Decide whether `principal` may use `permission`, and over which records.
///
/// The scope filter is the union of the scopes of every grant that carries the permission: a
/// grant without an agency or location opens that dimension entirely.
pub fn decide(principal: &Principal, permission: Permission) -> Result<Access, Denied> {
    let grants: Vec<&RoleGrant> =
        principal.grants.iter().filter(|g| g.role.permissions().contains(&permission)).collect();
    if grants.is_empty() {
        return Err(Denied::MissingPermission(permission));
    }
    if let Some(narrowed) = &principal.token_permissions
        && !narrowed.contains(&permission)
    {
        return Err(Denied::OutsideTokenScope(permission));
    }
    Ok(Access { user_id: principal.user_id, permission, filter: union_of_scopes(&grants) })
}

fn union_of_scopes(grants: &[&RoleGrant]) -> ScopeFilter {
    let agencies = if grants.iter().any(|g| g.agency.is_none()) {
        None
    } else {
        let mut ids: Vec<Uuid> = grants.iter().filter_map(|g| g.agency).collect();
        ids.sort();
        ids.dedup();
        Some(ids)
    };
    let locations = if grants.iter().any(|g| g.location.is_none()) {
        None
    } else {
        let mut paths: Vec<LocationScope> = grants.iter().filter_map(|g| g.location.clone()).collect();
        paths.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        paths.dedup();
        Some(paths)
    };
    ScopeFilter { agencies, locations }
}

/// May `actor` grant `role` to `target`? Managing users needs [`Permission::UsersManage`];
/// the PSEA focal point role is granted only by another PSEA focal point, except the very
/// first one (when `psea_focal_points_exist` is false), so that an administrator can never
/// give anyone, least of all themselves, access to sealed reports.
pub fn may_grant_role(
    actor: &Principal,
    target: Uuid,
    role: Role,
    psea_focal_points_exist: bool,
) -> Result<(), Denied> {
    if role == Role::PseaFocalPoint {
        if actor.user_id == target {
            return Err(Denied::SelfGrant);
        }
        if !psea_focal_points_exist {
            return decide(actor, Permission::UsersManage).map(|_| ());
        }
        return if actor.has_role(Role::PseaFocalPoint) { Ok(()) } else { Err(Denied::NeedsPseaFocalPoint) };
    }
    decide(actor, Permission::UsersManage).map(|_| ())
}

/// May `actor` reset the password or second factor of a user holding `target_roles`?
/// A PSEA focal point's credentials guard sealed data, so only another PSEA focal point may.
pub fn may_reset_credentials(actor: &Principal, target: Uuid, target_roles: &BTreeSet<Role>) -> Result<(), Denied> {
    if target_roles.contains(&Role::PseaFocalPoint) {
        if actor.user_id == target {
            return Err(Denied::SelfGrant);
        }
        return if actor.has_role(Role::PseaFocalPoint) { Ok(()) } else { Err(Denied::NeedsPseaFocalPoint) };
    }
    decide(actor, Permission::UsersManage).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role]) -> Principal {
        Principal {
            user_id: Uuid::now_v7(),
            grants: roles.iter().map(|&role| RoleGrant { role, agency: None, location: None }).collect(),
            token_permissions: None,
        }
    }

    #[test]
    fn administrators_never_read_sealed_or_case_data() {
        let admin = principal(&[Role::Administrator]);
        for p in Permission::ALL.into_iter().filter(|p| p.is_sensitive()) {
            assert_eq!(decide(&admin, p).unwrap_err(), Denied::MissingPermission(p));
        }
    }

    #[test]
    fn a_principal_without_grants_is_denied_everything() {
        let nobody = principal(&[]);
        for p in Permission::ALL {
            assert!(decide(&nobody, p).is_err());
        }
    }

    #[test]
    fn token_scopes_narrow_but_never_widen() {
        let mut p = principal(&[Role::Viewer]);
        p.token_permissions = Some([Permission::CatalogRead, Permission::UsersManage].into());
        assert!(decide(&p, Permission::CatalogRead).is_ok());
        assert_eq!(
            decide(&p, Permission::UsersManage).unwrap_err(),
            Denied::MissingPermission(Permission::UsersManage)
        );
        assert_eq!(
            decide(&p, Permission::ProjectsRead).unwrap_err(),
            Denied::OutsideTokenScope(Permission::ProjectsRead)
        );
    }

    #[test]
    fn scope_is_the_union_of_the_grants_that_carry_the_permission() {
        let north = LocationScope::new("/XY/XY01/").unwrap();
        let south = LocationScope::new("/XY/XY02/").unwrap();
        let p = Principal {
            user_id: Uuid::now_v7(),
            grants: vec![
                RoleGrant { role: Role::CaseWorker, agency: None, location: Some(north.clone()) },
                RoleGrant { role: Role::ProtectionOfficer, agency: None, location: Some(south.clone()) },
                RoleGrant { role: Role::Viewer, agency: None, location: None },
            ],
            token_permissions: None,
        };
        let access = decide(&p, Permission::CaseRead).unwrap();
        assert_eq!(access.filter().locations, Some(vec![north, south]));
        // Catalog reading comes also from the unscoped viewer grant: no location restriction.
        assert_eq!(decide(&p, Permission::CatalogRead).unwrap().filter().locations, None);
    }

    #[test]
    fn only_a_psea_focal_point_grants_the_psea_role_once_one_exists() {
        let admin = principal(&[Role::Administrator]);
        let psea = principal(&[Role::PseaFocalPoint]);
        let target = Uuid::now_v7();
        assert!(may_grant_role(&admin, target, Role::PseaFocalPoint, false).is_ok());
        assert_eq!(may_grant_role(&admin, target, Role::PseaFocalPoint, true), Err(Denied::NeedsPseaFocalPoint));
        assert!(may_grant_role(&psea, target, Role::PseaFocalPoint, true).is_ok());
        assert_eq!(may_grant_role(&admin, admin.user_id, Role::PseaFocalPoint, false), Err(Denied::SelfGrant));
        assert!(may_grant_role(&admin, target, Role::CaseWorker, true).is_ok());
        assert!(may_grant_role(&psea, target, Role::CaseWorker, true).is_err());
    }

    #[test]
    fn psea_credentials_are_reset_only_by_another_focal_point() {
        let admin = principal(&[Role::Administrator]);
        let psea = principal(&[Role::PseaFocalPoint]);
        let target = Uuid::now_v7();
        let psea_roles: BTreeSet<Role> = [Role::PseaFocalPoint].into();
        assert_eq!(may_reset_credentials(&admin, target, &psea_roles), Err(Denied::NeedsPseaFocalPoint));
        assert!(may_reset_credentials(&psea, target, &psea_roles).is_ok());
        assert_eq!(may_reset_credentials(&psea, psea.user_id, &psea_roles), Err(Denied::SelfGrant));
        assert!(may_reset_credentials(&admin, target, &[Role::Viewer].into()).is_ok());
    }
}
