//! Tickets: every request names its slot and generation; a result whose ticket
//! is no longer current is dropped, and a newer ticket cancels older work.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Repos,
    Tags,
    Detail,
    Usage,
    Delete,
    Planner,
    Files,
    Compare,
    Copy,
    /// `t`: its own, so neither a copy nor the next `t` cancels it.
    Tag,
    /// A copy's completions from the store.
    Places,
    /// One of your commands, shown in a screen.
    Command,
    /// The registry's usage, one job per repository.
    RegistryUsage,
    /// What the store knew before this session (marks of what changed).
    Since,
}

impl Slot {
    pub const ALL: [Slot; 14] = [
        Slot::Repos,
        Slot::Tags,
        Slot::Detail,
        Slot::Usage,
        Slot::Delete,
        Slot::Planner,
        Slot::Files,
        Slot::Compare,
        Slot::Copy,
        Slot::Tag,
        Slot::Places,
        Slot::Command,
        Slot::RegistryUsage,
        Slot::Since,
    ];
}

/// Identifies a request; a result whose ticket is no longer current is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket {
    pub slot: Slot,
    pub generation: u64,
}

#[derive(Debug, Default)]
pub struct Tickets {
    generations: HashMap<Slot, u64>,
}

impl Tickets {
    /// A new ticket for `slot`, making every older one stale.
    pub fn issue(&mut self, slot: Slot) -> Ticket {
        let generation = self.generations.entry(slot).or_default();
        *generation += 1;
        Ticket {
            slot,
            generation: *generation,
        }
    }

    pub fn current(&self, slot: Slot) -> Ticket {
        Ticket {
            slot,
            generation: self.generations.get(&slot).copied().unwrap_or(0),
        }
    }

    pub fn is_current(&self, ticket: Ticket) -> bool {
        self.current(ticket.slot) == ticket
    }

    /// Makes every outstanding ticket stale (a new registry).
    pub fn supersede_all(&mut self) {
        for slot in Slot::ALL {
            self.issue(slot);
        }
    }
}
