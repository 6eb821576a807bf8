//! The demo's help-desk tools: a service directory for Azuria, approved answers in English,
//! French and Arabic, and a call-back promised on the first help-desk item.

use anyhow::Context;
use haven_core::authz::{Permission, decide};
use haven_core::feedback::{RawAnswerText, RawService};
use haven_store::Store;
use haven_store::identity::{self as users, Actor};
use uuid::Uuid;

/// Organisation, service, type, places, contact, hours, languages, how to refer, takes referrals.
type DemoService = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    bool,
);

const SERVICES: [DemoService; 7] = [
    (
        "Azuria Red Crescent",
        "Mobile health clinic",
        "health",
        &["AZ01"],
        "+254 700 200 100 (clinic line)",
        "Mon–Fri 08:00–16:00",
        &["ar", "en"],
        "Anyone. Urgent cases walk in. Refer by phone with the person's consent: first name, age, site, need.",
        true,
    ),
    (
        "Women's Support Network Azuria",
        "GBV case management and women's safe space",
        "gbv_case_management",
        &["AZ0101S01", "AZ0201S01"],
        "Focal point +254 700 300 200",
        "Daily 09:00–17:00",
        &["ar", "fr"],
        "Survivors only with their consent. Give a first name and a safe call-back time; no details on the phone.",
        true,
    ),
    (
        "Azuria Legal Aid Clinic",
        "Legal counselling and representation",
        "legal_aid",
        &["AZ"],
        "legal@azuria-legal.example, +254 700 400 300",
        "Tue and Thu 09:00–13:00",
        &["en", "fr"],
        "Civil documentation, housing, land and property, detention. Referral form by e-mail.",
        true,
    ),
    (
        "Child Protection Working Group",
        "Child protection case management",
        "child_protection",
        &["AZ02"],
        "CP hotline 116",
        "24 hours",
        &["ar", "en", "fr"],
        "Unaccompanied and separated children, children at risk. Call the hotline at once.",
        true,
    ),
    (
        "Cash Working Group",
        "Multipurpose cash",
        "cash",
        &["AZ01", "AZ02"],
        "Hotline 1500 (free)",
        "Mon–Sat 08:00–18:00",
        &["ar", "en", "fr"],
        "No individual referrals: households are registered by the teams at distributions. Give the hotline.",
        false,
    ),
    (
        "IOM Azuria",
        "PSEA investigation unit",
        "psea_investigation",
        &["AZ"],
        "Confidential line +254 700 999 000",
        "Weekdays",
        &["en", "fr"],
        "PSEA focal points only: allegations against staff or partners.",
        true,
    ),
    (
        "Sela Psychosocial Centre",
        "Counselling and group support",
        "mhpss",
        &["AZ0101"],
        "+254 700 500 400",
        "Mon–Fri 09:00–15:00",
        &["ar", "en"],
        "Adults and adolescents; walk in or refer by phone with consent.",
        true,
    ),
];

/// Category, and the question and answer in English, French and Arabic.
type DemoAnswer = (&'static str, [(&'static str, &'static str, &'static str); 3]);

const ANSWERS: [DemoAnswer; 3] = [
    (
        "request-information",
        [
            (
                "en",
                "When is the next distribution?",
                "Distribution dates are put on the notice board of each site and sent by SMS three days before. You can also call the free hotline 1500.",
            ),
            (
                "fr",
                "Quand a lieu la prochaine distribution ?",
                "Les dates sont affichées au tableau de chaque site et envoyées par SMS trois jours avant. Vous pouvez aussi appeler la ligne gratuite 1500.",
            ),
            (
                "ar",
                "متى التوزيع القادم؟",
                "تُعلَّق مواعيد التوزيع على لوحة الإعلانات في كل موقع وتُرسل برسالة نصية قبل ثلاثة أيام. ويمكنكم أيضًا الاتصال بالخط المجاني 1500.",
            ),
        ],
    ),
    (
        "request-support",
        [
            (
                "en",
                "How do I register for assistance?",
                "Registration is done by the teams at the help desk of your site, Monday to Friday. Bring any identity document you have; registration is free and nobody may ask you for money.",
            ),
            (
                "fr",
                "Comment m'inscrire pour recevoir de l'aide ?",
                "L'inscription se fait au guichet d'information de votre site, du lundi au vendredi. Apportez une pièce d'identité si vous en avez ; l'inscription est gratuite et personne ne peut vous demander d'argent.",
            ),
            (
                "ar",
                "كيف أسجل للحصول على المساعدة؟",
                "يتم التسجيل لدى فرق مكتب المساعدة في موقعكم من الاثنين إلى الجمعة. أحضروا أي وثيقة هوية لديكم؛ التسجيل مجاني ولا يحق لأحد أن يطلب منكم مالًا.",
            ),
        ],
    ),
    (
        "question-response-activities",
        [
            (
                "en",
                "Is what I say to the hotline confidential?",
                "Yes. What you tell us is kept confidential and used only to help you. You may stay anonymous. We call back only if you agree, and only when and how you tell us it is safe.",
            ),
            (
                "fr",
                "Ce que je dis à la ligne d'écoute est-il confidentiel ?",
                "Oui. Ce que vous nous dites reste confidentiel et ne sert qu'à vous aider. Vous pouvez rester anonyme. Nous ne rappelons qu'avec votre accord, au moment et de la manière que vous indiquez.",
            ),
            (
                "ar",
                "هل ما أقوله للخط الساخن سري؟",
                "نعم. ما تقولونه لنا يبقى سريًا ولا يُستخدم إلا لمساعدتكم. يمكنكم عدم ذكر أسمائكم. لا نعاود الاتصال إلا بموافقتكم، وفي الوقت والطريقة التي تخبروننا أنها آمنة.",
            ),
        ],
    ),
];

/// Seed the directory, the answers and one call-back on `first_item` (a help-desk item
/// whose caller left a number).
pub async fn seed(store: &Store, agent: &Actor, first_item: Option<Uuid>) -> anyhow::Result<()> {
    let protection = users::login_record(store, "protection").await?.context("demo user protection")?;
    let protection = Actor { id: Some(protection.id), name: protection.username.clone() };
    for (organisation, name, kind, places, contact, hours, languages, criteria, referrals) in SERVICES {
        let raw = RawService {
            organisation: Some(organisation.into()),
            name: Some(name.into()),
            service_type: Some(kind.into()),
            locations: places.iter().map(|p| (*p).to_owned()).collect(),
            contact: Some(contact.into()),
            opening_hours: Some(hours.into()),
            languages: languages.iter().map(|l| (*l).to_owned()).collect(),
            referral_criteria: Some(criteria.into()),
            accepts_referrals: Some(referrals),
            active: Some(true),
            ..Default::default()
        };
        let service = raw.validate().map_err(|p| anyhow::anyhow!("demo service {name}: {p:?}"))?;
        haven_store::feedback::directory::create(store, &protection, &service).await?;
    }
    for (category, texts) in ANSWERS {
        let mut id = None;
        for (language, question, body) in texts {
            let raw = RawAnswerText {
                language: Some(language.into()),
                question: Some(question.into()),
                body: Some(body.into()),
                category: Some(category.into()),
            };
            let text = raw.validate().map_err(|p| anyhow::anyhow!("demo answer {question}: {p:?}"))?;
            match id {
                None => id = Some(haven_store::feedback::answers::create(store, &protection, &text).await?),
                Some(id) => {
                    haven_store::feedback::answers::approve(store, &protection, id, &text).await?;
                }
            }
        }
    }
    if let (Some(item), Some(agent_id)) = (first_item, agent.id) {
        let access = decide(&users::principal(store, agent_id).await?, Permission::FeedbackRead)
            .map_err(|e| anyhow::anyhow!("demo agent: {e}"))?;
        let row = haven_store::feedback::visible_row(store, &access, false, item).await?;
        let due = haven_store::now_utc() + time::Duration::hours(3);
        haven_store::feedback::callbacks::schedule(store, agent, &row, due, agent_id).await?;
    }
    Ok(())
}
