//! `--package NAME[@VERSION]`: a package name and an exact version or a
//! range (`>=3.0,<3.0.14`), versions compared segment by segment in natural
//! order (numbers as numbers), which suits dpkg, apk, npm and PyPI versions
//! alike for the ranges people write.

use super::sbom::Package;
use super::tag_order::natural_cmp;
use super::unreadable::Unreadable;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageQuery {
    pub name: String,
    /// Every constraint must hold; none: any version.
    constraints: Vec<(Op, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl PackageQuery {
    pub fn parse(text: &str) -> Result<PackageQuery, Unreadable> {
        // `@scope/pkg@1.0`: a leading `@` is the name's (npm scopes).
        let scoped = usize::from(text.starts_with('@'));
        let (name, version) = match text[scoped..].split_once('@') {
            Some((name, version)) => (&text[..scoped + name.len()], Some(version)),
            None => (text, None),
        };
        if name.trim().is_empty() {
            return Err("--package needs a name: NAME or NAME@VERSION".into());
        }
        let mut constraints = Vec::new();
        for part in version.into_iter().flat_map(|v| v.split(',')) {
            constraints.push(constraint(part.trim())?);
        }
        Ok(PackageQuery {
            name: name.trim().to_string(),
            constraints,
        })
    }

    /// The package has this name (case-insensitive) and a version the
    /// constraints allow (a package without a version matches only when
    /// there are none).
    pub fn matches(&self, package: &Package) -> bool {
        if !package.name.eq_ignore_ascii_case(&self.name) {
            return false;
        }
        if self.constraints.is_empty() {
            return true;
        }
        let Some(version) = package.version.as_deref() else {
            return false;
        };
        self.constraints.iter().all(|(op, wanted)| {
            let order = natural_cmp(version, wanted);
            match op {
                Op::Eq => order == Ordering::Equal,
                Op::Lt => order == Ordering::Less,
                Op::Le => order != Ordering::Greater,
                Op::Gt => order == Ordering::Greater,
                Op::Ge => order != Ordering::Less,
            }
        })
    }
}

fn constraint(part: &str) -> Result<(Op, String), Unreadable> {
    let ops = [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("==", Op::Eq),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
    ];
    let (op, rest) = ops
        .iter()
        .find_map(|(s, op)| part.strip_prefix(s).map(|rest| (*op, rest)))
        .unwrap_or((Op::Eq, part));
    let rest = rest.trim();
    if rest.is_empty() || rest.len() > 128 {
        return Err(format!("--package: {part:?} is not a version constraint").into());
    }
    Ok((op, rest.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str) -> Package {
        Package {
            name: name.into(),
            version: Some(version.into()),
            purl: None,
            licenses: vec![],
        }
    }

    #[test]
    fn exact_versions_and_ranges() {
        let q = PackageQuery::parse("openssl@>=3.0,<3.0.14").unwrap();
        assert!(q.matches(&pkg("openssl", "3.0.2")));
        assert!(q.matches(&pkg("OpenSSL", "3.0.13")));
        assert!(!q.matches(&pkg("openssl", "3.0.14")));
        assert!(!q.matches(&pkg("openssl", "1.1.1")));
        assert!(!q.matches(&pkg("libssl", "3.0.2")));
        let exact = PackageQuery::parse("idna@3.7").unwrap();
        assert!(exact.matches(&pkg("idna", "3.7")) && !exact.matches(&pkg("idna", "3.10")));
        assert!(
            PackageQuery::parse("any")
                .unwrap()
                .matches(&pkg("any", "0"))
        );
        let scoped = PackageQuery::parse("@babel/core@7.24.0").unwrap();
        assert!(scoped.matches(&pkg("@babel/core", "7.24.0")));
        assert!(
            PackageQuery::parse("@types/node")
                .unwrap()
                .matches(&pkg("@types/node", "1"))
        );
        assert!(PackageQuery::parse("x@>=").is_err());
    }
}
