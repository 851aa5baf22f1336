//! The people who pass the gates: staff, students and visitors with stable
//! ids (the `employeeNoString` a gate reports) and names.

/// Who a person is to the campus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// 教职工: ids `T…`.
    Staff,
    /// 学生: ids `S…`.
    Student,
    /// 访客: ids `V…`, `userType` = `visitor`.
    Visitor,
}

/// One person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Stable id (`employeeNoString`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Category,
}

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "杰", "娟", "涛",
];

/// Person number `n` of `category` (the same `n` is always the same person).
pub fn person(category: Category, n: u32) -> Person {
    let (prefix, base) = match category {
        Category::Staff => ("T", 1000),
        Category::Student => ("S2023", 1),
        Category::Visitor => ("V", 1),
    };
    let id = match category {
        Category::Student => format!("{prefix}{:04}", base + n),
        _ => format!("{prefix}{:04}", base + n),
    };
    let name = format!(
        "{}{}",
        SURNAMES[(n as usize * 7) % SURNAMES.len()],
        GIVEN[(n as usize * 5 + 3) % GIVEN.len()]
    );
    Person { id, name, category }
}

/// A person at random, mostly students, some staff, few visitors.
pub fn random() -> Person {
    let category = match fastrand::u8(..100) {
        0..70 => Category::Student,
        70..92 => Category::Staff,
        _ => Category::Visitor,
    };
    person(category, fastrand::u32(0..500))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_stable() {
        assert_eq!(person(Category::Staff, 3), person(Category::Staff, 3));
        assert_eq!(person(Category::Staff, 3).id, "T1003");
        assert_eq!(person(Category::Student, 17).id, "S20230018");
        assert_eq!(person(Category::Visitor, 2).id, "V0003");
        assert_ne!(person(Category::Student, 1).name, "");
    }
}
