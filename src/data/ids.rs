//! A record's employee id and team name, kept together.
//!
//! A batch holds a million records; each used to carry two `String`s (48
//! bytes in the record, two heap blocks). [`Ids`] keeps both texts in one
//! block and where the team starts: 24 bytes and one allocation, made on
//! the reading thread. The texts come back exactly as read.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

/// An employee id and, when the record has one, its team's name.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Ids {
    /// The employee id, then the team's name.
    text: Box<str>,
    /// Where the team's name starts in `text`; [`NO_TEAM`] without one.
    team_at: usize,
}

/// `team_at` of a record without a team (no text is that long).
const NO_TEAM: usize = usize::MAX;

impl Ids {
    pub fn new(employee: &str, team: Option<&str>) -> Ids {
        match team {
            None => Ids {
                text: employee.into(),
                team_at: NO_TEAM,
            },
            Some(team) => {
                let mut text = String::with_capacity(employee.len().saturating_add(team.len()));
                text.push_str(employee);
                text.push_str(team);
                Ids {
                    text: text.into_boxed_str(),
                    team_at: employee.len(),
                }
            }
        }
    }

    pub fn employee(&self) -> &str {
        self.text.get(..self.team_at).unwrap_or(&self.text)
    }

    pub fn team(&self) -> Option<&str> {
        match self.team_at {
            NO_TEAM => None,
            at => self.text.get(at..),
        }
    }
}

impl std::fmt::Debug for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ids")
            .field("employee", &self.employee())
            .field("team", &self.team())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_as_given() {
        for (employee, team) in [
            ("E0001", Some("T1")),
            ("E0001", None),
            ("E0001", Some("")),
            ("", Some("T1")),
            ("", None),
            ("", Some("")),
            ("张三", Some("售后一组")),
            ("张三", None),
        ] {
            let ids = Ids::new(employee, team);
            assert_eq!(ids.employee(), employee);
            assert_eq!(ids.team(), team);
        }
    }

    #[test]
    fn equal_only_when_both_texts_are() {
        let ids = |e, t| Ids::new(e, t);
        assert_eq!(ids("E1", Some("T")), ids("E1", Some("T")));
        assert_ne!(ids("E1", Some("T")), ids("E1T", None));
        assert_ne!(ids("E1", Some("T")), ids("E", Some("1T")));
        assert_ne!(ids("E1", Some("")), ids("E1", None));
        assert_eq!(ids("E1", None), ids("E1", None));
    }

    #[test]
    fn small() {
        assert_eq!(std::mem::size_of::<Ids>(), 24);
    }
}
