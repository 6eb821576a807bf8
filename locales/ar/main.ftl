# Haven — العربية. يجب أن يوجد كل مفتاح في كل ملف لغة.

## التنقل وإطار الصفحة
nav-skip = الانتقال إلى المحتوى
nav-label = القائمة الرئيسية
nav-home = الرئيسية
nav-catalog = البيانات المرجعية
nav-users = المستخدمون
nav-audit = سجل التدقيق
nav-settings = الإعدادات
nav-account = حسابي
nav-sign-out = تسجيل الخروج
nav-languages = اللغات

## الأدوار
role-administrator = مسؤول النظام
role-protection-officer = موظف الحماية
role-project-manager = مدير المشروع
role-case-worker = أخصائي إدارة الحالات
role-feedback-agent = موظف التغذية الراجعة (مكتب المساعدة، الخط الساخن)
role-psea-focal-point = جهة التنسيق للحماية من الاستغلال والانتهاك الجنسيين
role-me-officer = موظف الرصد والتقييم
role-viewer = مطّلع
role-headquarters-reviewer = مراجِع في المقر الرئيسي

## الأخطاء
error-title = حدث خطأ ما
error-not-authenticated = يرجى تسجيل الدخول أولاً.
error-forbidden = لا يُسمح لك بالقيام بهذا.
error-not-found = هذه الصفحة أو هذا السجل غير موجود.
error-bad-request = الطلب غير صالح.
error-invalid = إحدى القيم في الطلب غير صالحة.
error-csrf = انتهت صلاحية النموذج أو أنه لم يأتِ من Haven. أعد تحميل الصفحة وحاول مرة أخرى.
error-too-many-requests = محاولات كثيرة جداً. انتظر بضع دقائق وحاول مرة أخرى.
error-internal = حدث خطأ داخلي. تم تسجيله؛ يرجى المحاولة لاحقاً.
error-method-not-allowed = هذه الطريقة غير مسموح بها هنا.
error-payload-too-large = الطلب كبير جداً.
error-unsupported-media-type = نوع محتوى الطلب غير صحيح.
error-unprocessable = تعذرت قراءة محتوى الطلب.
error-timeout = استغرق الطلب وقتاً طويلاً جداً.
error-already-exists = هذا موجود بالفعل.
error-cannot-disable-self = لا يمكنك تعطيل حسابك الخاص.

## تسجيل الدخول
login-title = تسجيل الدخول
login-username = اسم المستخدم
login-password = كلمة المرور
login-submit = دخول
login-failed = اسم المستخدم أو كلمة المرور غير صحيحة.
login-locked = محاولات فاشلة كثيرة جداً: هذا الحساب مقفل لبعض الوقت. حاول لاحقاً أو اطلب المساعدة من مسؤول النظام.
login-throttled = محاولات دخول كثيرة جداً من هذا العنوان. انتظر دقيقة وحاول مرة أخرى.
login-username-required = أدخل اسم المستخدم.
login-password-required = أدخل كلمة المرور.

## العامل الثاني
mfa-title = الخطوة الثانية: رمز المصادقة
mfa-enter-code = أدخل الرمز المكوّن من 6 أرقام الذي يعرضه تطبيق المصادقة.
mfa-code = الرمز
mfa-verify = تحقّق
mfa-code-wrong = هذا الرمز غير صالح. تحقق من الوقت في هاتفك وحاول مرة أخرى.
mfa-recovery-hint = فقدت هاتفك؟ أدخل أحد رموز الاسترداد بدلاً من ذلك.
mfa-enrol-title = إعداد عامل ثانٍ
mfa-enrol-scan = امسح هذا الرمز بتطبيق مصادقة (مثل FreeOTP أو Aegis)، ثم أدخل الرمز المكوّن من 6 أرقام الذي يعرضه.
mfa-enrol-manual = أو اكتب هذا المفتاح في التطبيق:
mfa-qr-label = رمز QR لتطبيق المصادقة
mfa-enrol-confirm = تأكيد
mfa-codes-title = رموز الاسترداد الخاصة بك
mfa-enrolled = العامل الثاني مفعّل الآن.
mfa-codes-keep = احتفظ بهذه الرموز في مكان آمن بعيداً عن هاتفك. يعمل كل رمز مرة واحدة إذا فقدت هاتفك. لن تُعرض مرة أخرى.
mfa-continue = متابعة

## الرئيسية
home-title = الرئيسية
home-your-roles = أدوارك:
home-notices = إشعارات
home-nothing-yet = لم يُسند شيء إلى أدوارك بعد.
home-card-catalog = البيانات المرجعية
home-card-catalog-text = المبادئ والمراحل والقطاعات والفئات المعرضة للخطر والمخاطر والمواقع.
home-card-users = المستخدمون والأدوار
home-card-users-text = الحسابات والأدوار والعوامل الثانية.
home-card-audit = سجل التدقيق
home-card-audit-text = من فعل ماذا ومتى؛ أي تلاعب يمكن كشفه.
home-card-settings = الإعدادات
home-card-settings-text = اسم المنظمة والمنطقة الزمنية وأيام العمل.
notice-psea-focal-point-added = أُضيفت جهة تنسيق للحماية من الاستغلال والانتهاك الجنسيين ({ $when }).
notice-psea-focal-point-removed = أُزيلت جهة تنسيق للحماية من الاستغلال والانتهاك الجنسيين ({ $when }).
notice-psea-credentials-reset = أُعيد تعيين بيانات اعتماد جهة تنسيق للحماية من الاستغلال والانتهاك الجنسيين ({ $when }).
notice-feedback-sealed = وصل بلاغ مختوم ({ $when }): راجع قائمة الملاحظات.

## الحساب
account-title = حسابي
account-change-password = تغيير كلمة المرور
account-current-password = كلمة المرور الحالية
account-new-password = كلمة المرور الجديدة
account-confirm-password = كلمة المرور الجديدة مرة أخرى
account-current-password-wrong = كلمة المرور الحالية غير صحيحة.
account-passwords-differ = كلمتا المرور الجديدتان مختلفتان.
account-password-changed = تم تغيير كلمة المرور.
account-language = اللغة
account-save = حفظ
account-mfa = العامل الثاني
account-mfa-on = مفعّل
account-mfa-off = غير مفعّل
account-mfa-replace = استبدال تطبيق المصادقة
account-mfa-set-up = إعداد عامل ثانٍ
account-tokens = رموز الواجهة البرمجية
account-token-name = اسم الرمز
account-token-days = مدة الصلاحية (بالأيام)
account-token-create = إنشاء رمز
account-token-created = انسخ هذا الرمز الآن: لن يُعرض مرة أخرى.
account-token-created-at = تاريخ الإنشاء
account-token-expires = تاريخ الانتهاء
account-token-last-used = آخر استخدام
account-token-never-used = لم يُستخدم
account-token-revoke = إلغاء
account-token-revoked = مُلغى
account-token-name-required = أعطِ الرمز اسماً (80 حرفاً على الأكثر).
account-token-days-invalid = يكون الرمز صالحاً من يوم واحد إلى 365 يوماً.
account-sessions = الجلسات
account-logout-everywhere = تسجيل الخروج من كل الأجهزة

## كلمات المرور
password-too-short = يجب أن تتكون كلمة المرور من { $min } حرفاً على الأقل.
password-too-long = يمكن أن تتكون كلمة المرور من { $max } حرفاً على الأكثر.
password-contains-username = لا يجوز أن تحتوي كلمة المرور على اسم المستخدم.

## البيانات المرجعية
catalog-title = البيانات المرجعية
catalog-intro = المفردات المشتركة لعمل الحماية في Haven. يمكن لمسؤولي النظام إضافة مدخلات محلية.
catalog-kind = النوع
catalog-entries = المدخلات
catalog-code = الرمز
catalog-name = الاسم
catalog-description = الوصف
catalog-local = محلي
catalog-add = إضافة مدخل محلي
catalog-name-en = الاسم بالإنجليزية
catalog-name-fr = الاسم بالفرنسية
catalog-name-ar = الاسم بالعربية
catalog-code-invalid = استخدم من 1 إلى 64 من الحروف اللاتينية الصغيرة والأرقام والشرطات.
catalog-code-taken = هذا الرمز مستخدم بالفعل.
catalog-name-required = الاسم بالإنجليزية مطلوب.
catalog-kind-principles = مبادئ الحماية
catalog-kind-phases = مراحل المشروع
catalog-kind-sectors = قطاعات المساعدة (إطار عمليات الأزمات للهجرة)
catalog-kind-at-risk-groups = الفئات المعرضة للخطر
catalog-kind-risks = مخاطر الحماية (مجموعة الحماية العالمية)
catalog-kind-action-types = أنواع إجراءات الحماية
catalog-kind-pillars = الركائز التشغيلية (PiHA)
catalog-kind-age-brackets = الفئات العمرية
catalog-kind-feedback-typology = تصنيف الملاحظات (الاتحاد الدولي)
catalog-kind-checklist = قائمة مراجعة الحماية (دورة المشروع)
catalog-kind-pm-indicators = مؤشرات تعميم الحماية
catalog-kind-safety-audit-domains = مجالات تدقيق السلامة
catalog-kind-safety-audit-items = أسئلة تدقيق السلامة
catalog-kind-locations = المواقع

## المستخدمون
users-title = المستخدمون
users-count = { $count ->
    [zero] لا يوجد مستخدمون
    [one] مستخدم واحد
    [two] مستخدمان
    [few] { $count } مستخدمين
    [many] { $count } مستخدماً
   *[other] { $count } مستخدم
}
users-username = اسم المستخدم
users-display-name = الاسم الكامل
users-email = البريد الإلكتروني
users-roles = الأدوار
users-role = الدور
users-status = الحالة
users-active = نشط
users-disabled = معطّل
users-locked = مقفل
users-mfa = العامل الثاني
users-new = مستخدم جديد
users-initial-password = كلمة المرور الأولية (يجب تغييرها عند أول تسجيل دخول)
users-create = إنشاء المستخدم
users-username-length = يتكون اسم المستخدم من 2 إلى 64 حرفاً.
users-username-characters = استخدم الحروف اللاتينية الصغيرة a–z والأرقام والنقاط والشرطات والشرطات السفلية.
users-username-taken = اسم المستخدم هذا مأخوذ.
users-display-name-required = أدخل اسم الشخص.
users-grant = منح الدور
users-revoke = سحب
users-location-scope = مقيّد بموقع (مسار الرموز P-code، اختياري)
users-credentials = بيانات الاعتماد
users-new-password = كلمة مرور جديدة
users-reset-password = إعادة تعيين كلمة المرور
users-reset-mfa = إعادة تعيين العامل الثاني
users-password-was-reset = أُعيد تعيين كلمة المرور؛ يجب على المستخدم تغييرها عند تسجيل الدخول التالي.
users-mfa-was-reset = أُزيل العامل الثاني؛ سيُعدّ المستخدم عاملاً جديداً.
users-disable = تعطيل الحساب
users-enable = تفعيل الحساب

## التدقيق
audit-title = سجل التدقيق
audit-filter-action = الإجراء يبدأ بـ
audit-filter = تصفية
audit-time = الوقت
audit-actor = المنفّذ
audit-action = الإجراء
audit-entity = السجل
audit-summary = الملخص
audit-older = مدخلات أقدم

## الإعدادات
settings-title = إعدادات المنظمة
settings-organisation = اسم المنظمة
settings-time-zone = المنطقة الزمنية (مثل Africa/Nairobi)
settings-working-week = أيام العمل (مثل mon,tue,wed,thu,fri أو sun,mon,tue,wed,thu)
settings-time-zone-invalid = أدخل اسم منطقة زمنية مثل Africa/Nairobi أو UTC.
settings-working-week-invalid = اذكر الأيام من بين mon وtue وwed وthu وfri وsat وsun مفصولة بفواصل.
settings-saved = تم حفظ الإعدادات.
settings-mfa-roles = الأدوار التي يجب أن تستخدم عاملاً ثانياً

## Feedback: field problems
error-required = هذا الحقل مطلوب.
error-too-long = النص طويل جدًا.
error-unknown-code = هذه القيمة ليست من الخيارات المسموح بها.
error-invalid-phone = أدخل رقم هاتف من 6 إلى 15 رقمًا، مع علامة + في البداية إن شئت.
error-consent-required = لا نحتفظ ببيانات الاتصال إلا بموافقتك: ضع علامة في خانة الموافقة أو اتركها فارغة.
error-out-of-range = أدخل عمرًا بين 0 و120.
error-age-or-bracket = أدخل العمر أو الفئة العمرية، وليس الاثنين معًا.
error-invalid-language = استخدم رمز لغة من حرفين أو ثلاثة مثل en أو fr أو ar.
error-unknown-location = هذا الموقع غير موجود في قائمة المواقع.
error-feedback-not-set-up = لا يمكن استقبال الملاحظات الحساسة بعد: يجب على مسؤول الحماية من الاستغلال والاعتداء الجنسيين إعداد مفتاح المكتب أولًا.
error-unavailable = الخدمة غير متاحة حاليًا.

## Feedback: the public form and status page
feedback-new-title = قدّم ملاحظة أو شكوى
feedback-new-intro = أخبرنا عن مشكلة أو سؤال أو اقتراح أو أمر جرى بشكل جيد. لا يلزمك ذكر اسمك.
feedback-text = رسالتك
feedback-about = هل تتعلق بأحد هذه الأمور؟
feedback-about-hint = لا يطّلع على بلاغات الاعتداء أو الاستغلال أو الاحتيال إلا فريق صغير محمي.
feedback-about-general = لا شيء من ذلك
feedback-about-sea = اعتداء أو استغلال جنسي من شخص يعمل في المساعدات
feedback-about-fraud = احتيال أو رشوة أو سرقة المساعدات
feedback-about-misconduct = سوء سلوك من الموظفين أو المتطوعين
feedback-about-child_safeguarding = طفل في خطر
feedback-about-safety_threat = تهديد لسلامة شخص ما
feedback-about-you = عنك (اختياري)
feedback-sex = الجنس
feedback-sex-none = أفضّل عدم الإجابة
feedback-sex-f = أنثى
feedback-sex-m = ذكر
feedback-sex-x = غير ذلك
feedback-sex-u = غير معروف
feedback-age = العمر
feedback-contact = إذا أردت ردًا (اختياري)
feedback-contact-hint = لا نحتفظ ببيانات الاتصال إلا بموافقتك، ولغرض الرد عليك فقط.
feedback-contact-name = الاسم
feedback-contact-phone = رقم الهاتف
feedback-safe-contact = متى وكيف يكون الاتصال بك آمنًا؟
feedback-consent = أوافق على أن يتم التواصل معي بخصوص هذه الرسالة.
feedback-send = إرسال
feedback-status-link = متابعة حالة رسالة
feedback-thanks-title = شكرًا لك، وصلتنا رسالتك
feedback-thanks-reference = رقمك المرجعي:
feedback-thanks-keep = احتفظ بهذا الرقم المرجعي لمتابعة رسالتك. لا يحتاجه أحد غيرك.
feedback-status-title = حالة رسالة
feedback-status-reference = الرقم المرجعي
feedback-status-check = تحقّق
feedback-status-response = ردّنا
feedback-status-unknown = لا توجد رسالة بهذا الرقم المرجعي. تحقّق منه وحاول مرة أخرى.
feedback-public-status-received = وصلت
feedback-public-status-acknowledged = وصلت وقيد الاطلاع
feedback-public-status-assigned = قيد المعالجة
feedback-public-status-referred = أُحيلت إلى الفريق القادر على التصرف
feedback-public-status-responded = تم الرد
feedback-public-status-closed = أُغلقت
feedback-public-status-in-progress = وصلت وقيد المعالجة
feedback-sms-ack = شكرًا لك، وصلتنا رسالتك. رقمك المرجعي: { $reference }
error-invalid-time = اكتب الوقت بصيغة RFC 3339، مثل 2026-03-06T14:05:00Z.
error-item-closed = هذا البند مغلق: أعد فتحه أولًا.
error-item-not-closed = لا يمكن إعادة فتح إلا بند مغلق.
error-not-responded = ردّ قبل الإغلاق، أو أغلق لسبب لا يحتاج إلى رد (مكرر، مسحوب، ناقص، تعذّر الوصول).
error-sealed-referral = تُحال البنود المختومة إلى التحقيق أو إلى خدمات المساعدة.
error-open-referral = الإحالة إلى التحقيق أو المساعدة خاصة بالبنود المختومة.
error-office-key-needed = فتح المحتوى المختوم يحتاج إلى مفتاح مكتب الحماية من الاستغلال والاعتداء الجنسيين: سجّل الدخول مجددًا بكلمة مرورك.
error-changed = عدّل شخص آخر هذا البند في الأثناء. أعد تحميله وحاول مرة أخرى.
error-unknown-user = لا يوجد مستخدم بهذا الاسم.
error-not-sealed = هذا البند غير مختوم.

## Feedback: staff pages
nav-feedback = الملاحظات
feedback-list-title = الملاحظات والشكاوى
feedback-record-title = تسجيل ملاحظة
feedback-search = كلمات
feedback-status = الحالة
feedback-any = الكل
feedback-channel = القناة
feedback-filter = عرض
feedback-count = { $count ->
    [zero] لا توجد بنود
    [one] بند واحد
    [two] بندان
    [few] { $count } بنود
    [many] { $count } بندًا
   *[other] { $count } بند
}
feedback-reference = الرقم المرجعي
feedback-received = تاريخ الاستلام
feedback-priority = الأولوية
feedback-due = الموعد النهائي
feedback-overdue = متأخر
feedback-seal = الختم
feedback-seal-open = مفتوح
feedback-seal-provisional = مختوم حتى يقرر مسؤول الحماية من الاستغلال والاعتداء الجنسيين
feedback-seal-sealed = مختوم
feedback-channel-web = نموذج على الإنترنت
feedback-channel-sms = رسالة نصية
feedback-channel-whatsapp = واتساب
feedback-channel-hotline = الخط الساخن
feedback-channel-helpdesk = مكتب المساعدة
feedback-channel-suggestion_box = صندوق الاقتراحات
feedback-channel-community_meeting = اجتماع مجتمعي
feedback-channel-field_visit = زيارة ميدانية
feedback-channel-survey = استبيان
feedback-channel-email = بريد إلكتروني
feedback-channel-other = غير ذلك
feedback-status-received = مستلمة
feedback-status-acknowledged = تم الإقرار بالاستلام
feedback-status-assigned = مسندة
feedback-status-referred = محالة
feedback-status-responded = تم الرد
feedback-status-closed = مغلقة
feedback-respond-by = الرد قبل
feedback-refer-by = الإحالة قبل
feedback-criticality = درجة الخطورة
feedback-criticality-urgent = عاجل: حياة أو سلامة في خطر
feedback-criticality-action_needed = يلزم إجراء
feedback-criticality-no_immediate_action = لا يلزم إجراء فوري
feedback-criticality-action_taken = اتُّخذ إجراء بالفعل
feedback-criticality-to_be_clarified = يحتاج إلى توضيح
feedback-location = الموقع
feedback-history = السجل
feedback-steps = الخطوات التالية
feedback-note = ملاحظة
feedback-step-acknowledge = الإقرار بالاستلام
feedback-step-assign = إسناد
feedback-step-refer = إحالة
feedback-step-respond = رد
feedback-step-close = إغلاق
feedback-step-reopen = إعادة فتح
feedback-step-note = إضافة ملاحظة
feedback-step-seal-confirmed = تأكيد الختم
feedback-step-unsealed = رفع الختم
# روابط العناصر بمشروع وقطاع ومبدأ
feedback-step-links = تغيّرت الروابط
feedback-links = المشروع والقطاع والمبدأ
feedback-project = المشروع
feedback-project-hint = رمز المشروع، مثل NFI-2026-01.
feedback-sector = قطاع المساعدة
feedback-principle = مبدأ الحماية
feedback-links-save = حفظ الروابط
feedback-links-sealed = هذه الروابط مختومة مع البلاغ: لا يراها إلا منسقو الحماية من الاستغلال والانتهاك الجنسيين، ولا تُحتسب في لوحات المتابعة ولا للمشروع.
feedback-by-sector = حسب قطاع المساعدة
error-unknown-project = لا يوجد مشروع بهذا الرمز أو المعرّف.
feedback-assignee = إسناد إلى (اسم المستخدم)
feedback-referral-kind = الإحالة إلى
feedback-referral-internal = فريق آخر لدينا
feedback-referral-partner = منظمة شريكة
feedback-referral-investigation = منظمة الجاني المزعوم أو مكتب التحقيق فيها
feedback-referral-assistance = خدمات المساعدة للناجي أو الناجية
feedback-referred-to = الفريق أو المنظمة
feedback-consent-services = يوافق الناجي أو الناجية على هذه الإحالة
feedback-public-response = الرد على الشخص (يظهر في صفحة المتابعة)
feedback-closure-reason = سبب الإغلاق
feedback-closure-resolved = تم الحل
feedback-closure-information_provided = قُدّمت المعلومات
feedback-closure-referred_handed_over = أُحيلت وتم تسليمها
feedback-closure-no_action_possible = لا يمكن اتخاذ إجراء (مع التوضيح)
feedback-closure-unreachable = تعذّر الوصول إلى الشخص
feedback-closure-duplicate = مكررة
feedback-closure-withdrawn = مسحوبة
feedback-closure-incomplete = ناقصة
feedback-loop-closing = طريقة إغلاق دائرة التواصل
feedback-loop-immediately = رد فوري
feedback-loop-follow_up_call = مكالمة متابعة
feedback-loop-follow_up_visit = زيارة متابعة
feedback-loop-follow_up_message = رسالة متابعة
feedback-loop-through_focal_point = عبر جهة تنسيق
feedback-loop-community_meeting = في اجتماع مجتمعي
feedback-loop-not_possible = غير ممكن
feedback-satisfaction = رضا الشخص
feedback-satisfaction-satisfied = راضٍ
feedback-satisfaction-neutral = محايد
feedback-satisfaction-dissatisfied = غير راضٍ
feedback-satisfaction-not_asked = لم يُسأل
feedback-seal-decision = قرار الختم
feedback-seal-confirm = حساس: إبقاء الختم
feedback-seal-unseal = غير حساس: رفع الختم
feedback-reason = السبب
feedback-seal-decide = اتخاذ القرار
feedback-record-sealed = سُجّلت وخُتمت: لا يراها الآن إلا مسؤولو الحماية من الاستغلال والاعتداء الجنسيين. الرقم المرجعي:
feedback-record-minimum = في حالات الاعتداء أو الاستغلال أو الاحتيال، سجّل فقط ماذا حدث وأين ومتى، ومنظمة الشخص المعني إن كانت معروفة. لا تطلب تفاصيل.
feedback-about-person = الشخص مقدّم الملاحظة
feedback-disability = لديه إعاقة (الأسئلة المختصرة لمجموعة واشنطن)
feedback-consent-given = يوافق الشخص على التواصل معه
feedback-record-save = حفظ
feedback-category = الفئة (تصنيف الاتحاد الدولي)
error-unknown-column = لا يعرف Haven هذا العمود: غيّر اسمه أو احذفه.
error-required-column = يجب أن يحتوي الملف على هذا العمود.
error-not-yes-or-no = اكتب نعم أو لا.
error-in-the-future = هذا التاريخ في المستقبل.
error-empty-file = الملف فارغ.
error-not-utf8 = النص ليس بترميز UTF-8: احفظ الملف بصيغة CSV UTF-8.
error-ragged-row = في هذا السطر قيم أكثر أو أقل من الترويسة.
error-unnamed-column = هذا العمود بلا اسم في الترويسة.
error-duplicate-column = يظهر هذا العمود مرتين في الترويسة.
error-unreadable-file = الملف ليس ملف CSV أو XLSX قابلًا للقراءة.
error-invalid-file = في الملف مشكلات؛ لم يُستورد أي شيء.
feedback-dashboard-title = لوحة متابعة الملاحظات
feedback-from = من
feedback-to = إلى
feedback-suppressed-note = تُخفى الأعداد الأقل من 5، مع إخفاء أعداد أخرى كافية حتى لا يمكن استنتاجها.
feedback-suppressed = مخفي
feedback-service-title = مستويات الخدمة
feedback-received-count = البنود المستلمة
feedback-ack-in-time = أُقرّ باستلامها في الموعد
feedback-responded-in-time = رُدّ عليها في الموعد
feedback-median-response = الوقت الوسيط للرد
feedback-hours = { $count ->
    [zero] لا ساعات
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $count } ساعات
    [many] { $count } ساعة
   *[other] { $count } ساعة
}
feedback-closed-with-loop = أُغلقت مع إبلاغ الشخص
feedback-satisfied = أُغلقت والشخص راضٍ
feedback-items = البنود
feedback-total = المجموع
feedback-not-given = غير محدد
feedback-by-month = حسب الشهر
feedback-by-channel = حسب القناة
feedback-by-category = حسب الفئة
feedback-by-location = حسب الموقع
feedback-by-sex = حسب الجنس
feedback-by-age_bracket = حسب العمر
feedback-by-disability = حسب الإعاقة
feedback-disability-yes = لديه إعاقة
feedback-disability-no = ليست لديه إعاقة
error-invalid-month = اكتب الشهر بصيغة YYYY-MM.
feedback-language = اللغة

## الإشعارات بالبريد الإلكتروني والتصعيد والردود على الأشخاص
mail-footer = لا تحمل هذه الرسالة شيئًا من محتوى البلاغ. سجّل الدخول إلى Haven للاطلاع عليه.
mail-subject-psea-focal-point-added = أضيفت جهة تنسيق للحماية من الاستغلال والانتهاك الجنسيين
mail-subject-psea-focal-point-removed = أزيلت جهة تنسيق للحماية من الاستغلال والانتهاك الجنسيين
mail-subject-psea-credentials-reset = أعيد تعيين بيانات اعتماد جهة تنسيق الحماية
mail-subject-feedback-sealed = وصل بلاغ مختوم
mail-subject-feedback-overdue-acknowledge = لم يُقَرّ باستلام ملاحظة في موعدها
mail-subject-feedback-overdue-respond = لم يُرَدّ على ملاحظة في موعدها
mail-subject-feedback-overdue-refer = لم يُحَل بلاغ مختوم في موعده
mail-subject-feedback-sealed-overdue = بلاغ مختوم متأخر
mail-subject-feedback-sealed-no-focal-point = بلاغ مختوم يحتاج إلى جهة تنسيق
notice-feedback-overdue-acknowledge = لم يُقَرّ باستلام ملاحظة في موعدها ({ $when }).
notice-feedback-overdue-respond = لم يُرَدّ على ملاحظة في موعدها ({ $when }).
notice-feedback-overdue-refer = لم يُحَل بلاغ مختوم في موعده ({ $when }).
notice-feedback-sealed-overdue = تجاوز بلاغ مختوم موعده ({ $when })؛ وقد أُبلغت جهات التنسيق.
notice-feedback-sealed-no-focal-point = وصل بلاغ مختوم لا تستطيع أي جهة تنسيق تولّيه ({ $when }) لأنه يذكرها جميعًا. عيّن جهة تنسيق أخرى.
feedback-step-escalate = تصعيد: تأخر { $deadline }
feedback-deadline-acknowledge = الإقرار بالاستلام
feedback-deadline-respond = الرد
feedback-deadline-refer = الإحالة
feedback-reply = الرقم المرجعي { $reference }: { $response }
feedback-reply-neutral = هناك جديد بشأن رقمك المرجعي { $reference }. راجع حالته حيث تركت رسالتك.
feedback-send-reply = أرسل هذا الرد أيضًا إلى هاتف الشخص
feedback-send-reply-neutral = أرسل أيضًا إلى الشخص رسالة محايدة تشير إلى صفحة الحالة
feedback-replies = الرسائل إلى الشخص
feedback-message-queued = في الانتظار
feedback-message-sending = قيد الإرسال
feedback-message-sent = أُرسلت
feedback-message-delivered = سُلّمت
feedback-message-undelivered = لم تُسلّم
feedback-message-failed = فشلت
error-gateway-off = لا توجد بوابة رسائل قصيرة مهيأة، فلا يمكن إرسال أي رسالة.
error-no-consented-contact = لم يترك الشخص رقم هاتف، أو لم يوافق على التواصل معه.
escalation-title = تصعيد الملاحظات المتأخرة
escalation-intro = يُبلَّغ الأشخاص المدرجون هنا بكل ملاحظة متأخرة لمنظمتهم (أو لكل المنظمات)، إضافة إلى من يتولاها. وفي البلاغ المختوم لا يعرفون إلا أن هناك تأخرًا.
escalation-organisation = المنظمة
escalation-any-organisation = كل المنظمات
escalation-user = اسم المستخدم
escalation-add = إضافة
escalation-remove = إزالة
escalation-already = هذا الشخص يُبلَّغ أصلًا بتأخر ملاحظات هذه المنظمة.
feedback-month = الشهر
feedback-period-from = من
feedback-period-to = إلى
feedback-items-received = الملاحظات الواردة
feedback-hidden = مخفي (أقل من ٥)
feedback-stand-down = استبعاد جهة تنسيق من هذا البلاغ
feedback-stand-down-who = جهة التنسيق
feedback-stand-down-named-in-report = البلاغ يذكرها
feedback-stand-down-conflict-of-interest = تضارب مصالح
error-not-a-focal-point = هذا المستخدم ليس جهة تنسيق للحماية من الاستغلال والانتهاك الجنسيين.
error-last-focal-point = لا توجد جهة تنسيق أخرى تستطيع تولي هذا البلاغ. عيّن جهة أخرى أولًا.
nav-callbacks = معاودة الاتصال
nav-answers = الإجابات المعتمدة
nav-services = الخدمات
services-title = دليل الخدمات
services-intro = من يفعل ماذا وأين: الخدمات التي يمكن إحالة الأشخاص إليها، حسب المكان والنوع. الخدمة على مستوى منطقة تغطي كل الأماكن فيها.
services-add = إضافة خدمة
services-edit = تعديل هذه الخدمة
services-type = نوع الخدمة
services-look-up = بحث
services-count = { $count ->
    [zero] لا توجد خدمات
    [one] خدمة واحدة
    [two] خدمتان
    [few] { $count } خدمات
   *[other] { $count } خدمة
}
services-inactive = غير نشطة
services-where = الأماكن المشمولة
services-where-hint = اختر المناطق أو المواقع المشمولة (Ctrl أو Cmd لاختيار أكثر من واحد). المنطقة تشمل كل أماكنها.
services-contact = جهة الاتصال
services-hours = ساعات العمل
services-languages = اللغات
services-languages-hint = رموز اللغات مفصولة بفواصل، مثل ar, en, fr.
services-how-to-refer = معايير الإحالة وطريقتها
services-referrals = الإحالات
services-accepts-referrals = تقبل الإحالات بموافقة الشخص
services-no-referrals = لا تقبل الإحالات: أعطِ الشخص جهة الاتصال
services-active = نشطة (تظهر للموظفين)
services-organisation = المنظمة
services-name = الخدمة
services-description = ما تقدمه
services-directory-service = خدمة من الدليل
service-type-health = الصحة
service-type-gbv_case_management = إدارة حالات العنف القائم على النوع الاجتماعي
service-type-child_protection = حماية الطفل
service-type-legal_aid = المساعدة القانونية
service-type-shelter = المأوى
service-type-cash = المساعدة النقدية
service-type-food = المساعدة الغذائية
service-type-wash = المياه والصرف الصحي والنظافة
service-type-education = التعليم
service-type-mhpss = الصحة النفسية والدعم النفسي والاجتماعي
service-type-documentation = الوثائق المدنية
service-type-psea_investigation = التحقيق في الاستغلال والانتهاك الجنسيين
service-type-other = أخرى
answers-title = الإجابات المعتمدة
answers-intro = إجابات عن الأسئلة المتكررة، معتمدة ليقدمها الموظفون كما هي.
answers-search = البحث عن إجابة معتمدة
answers-language = اللغة
answers-find = بحث
answers-count = { $count ->
    [zero] لا توجد إجابات
    [one] إجابة واحدة
    [two] إجابتان
    [few] { $count } إجابات
   *[other] { $count } إجابة
}
answers-approved-by = اعتمدها
answers-approved-at = تاريخ الاعتماد
answers-use = استخدامها في الرد
answers-versions = الإصدارات
answers-new = إجابة جديدة
answers-new-version = اعتماد نص جديد
answers-question = السؤال المطروح
answers-body = الإجابة المعتمدة
answers-approve-hint = الحفظ يعتمد النص باسمك، وتُحفظ الإصدارات السابقة.
answers-approve = اعتماد
answers-retire = سحب هذه الإجابة
answers-retired = هذه الإجابة مسحوبة: لم يعد الموظفون يجدونها.
answers-aside-hint = تُفتح الإجابات في علامة تبويب أخرى، فيبقى ما كتبته هنا.
language-en = الإنجليزية
language-fr = الفرنسية
language-ar = العربية
callbacks-title = معاودة الاتصال
callbacks-mine = مهامي
callbacks-team = الفريق
callbacks-count = { $count ->
    [zero] لا توجد اتصالات مستحقة
    [one] اتصال واحد مستحق
    [two] اتصالان مستحقان
    [few] { $count } اتصالات مستحقة
   *[other] { $count } اتصالًا مستحقًا
}
callbacks-due = موعد الاتصال
callbacks-agent = الموظف
callbacks-outcome = النتيجة
callbacks-record = تسجيل
callbacks-schedule = جدولة معاودة اتصال
callbacks-respect = لا تتصل إلا كما طلب الشخص:
callbacks-safe-contact = الاتصال الآمن:
callbacks-no-preference = لم يحدد تفضيلًا
callbacks-contact-hidden = مخفي
callback-outcome-reached = تم الوصول إليه
callback-outcome-no_answer = لا رد
callback-outcome-unsafe_to_talk = لم يكن الحديث آمنًا
callback-outcome-wrong_number = رقم خاطئ
feedback-step-callback-scheduled = جدولة معاودة اتصال
feedback-step-callback-reached = معاودة اتصال: تم الوصول إليه
feedback-step-callback-no-answer = معاودة اتصال: لا رد
feedback-step-callback-unsafe-to-talk = معاودة اتصال: لم يكن الحديث آمنًا
feedback-step-callback-wrong-number = معاودة اتصال: رقم خاطئ
feedback-contact-erased = حُذفت بيانات الاتصال بعد الإغلاق في
settings-contact-erase-days = حذف بيانات الاتصال بعد الإغلاق (بالأيام)
settings-contact-erase-days-hint = تُحذف الأسماء وأرقام الهواتف وتعليمات الاتصال الآمن للعناصر المغلقة بعد هذا العدد من الأيام من إغلاقها، ويُحفظ باقي العنصر.
settings-contact-erase-days-invalid = أدخل عددًا صحيحًا من الأيام بين 1 و3650.
error-unknown-service = هذه الخدمة ليست في الدليل.
error-service-no-referrals = هذه الخدمة لا تقبل الإحالات حاليًا.
error-service-not-here = هذه الخدمة لا تشمل مكان هذا العنصر.
error-unknown-answer = لا توجد إجابة معتمدة بهذا المعرّف.
error-no-contact = لم يترك الشخص بيانات اتصال (أو حُذفت): لا يمكن معاودة الاتصال.
error-callback-done = لهذه المعاودة نتيجة مسجلة بالفعل.
error-assignee-not-allowed = لا يمكن لهذا المستخدم العمل على هذا العنصر.

error-file-too-large = يتجاوز حجم الملف 10 ميبيبايت.
error-file-type-not-accepted = هذا النوع من الملفات غير مقبول: أرفق ملف PDF أو صورة أو مستنداً مكتبياً أو ملفاً نصياً.
error-file-content-mismatch = محتوى الملف لا يطابق اسمه (هل أُعيدت تسميته؟).
error-invalid-upload = تعذّرت قراءة الملف المرسَل؛ حاول مرة أخرى.

# البلاغات المختومة: الحد الأدنى عند الاستلام، ردود محايدة، الموافقة على الإحالة، منظمات القنوات العامة
feedback-sensitive-minimum = للبلاغ الحساس فقط (يبقى مختوماً)
feedback-sensitive-minimum-hint = فقط في حالات الاعتداء أو الاستغلال أو الاحتيال أو سوء السلوك: متى حدث ذلك ومنظمة الشخص المعني، إن ذكرها الشخص. اتركه فارغاً في غير ذلك.
feedback-occurred-on = متى حدث ذلك
feedback-occurred-on-hint = يوم (2026-03-14) أو، إن كان التاريخ تقريبياً، شهر (2026-03).
feedback-alleged-organisation = منظمة الجاني المزعوم، إن كانت معروفة
feedback-consent-partner = يوافق الشخص على إحالته إلى منظمة شريكة
feedback-public-response-sealed = الرد المقدَّم إلى الشخص (يبقى مختوماً: تبقى صفحة المتابعة محايدة)
feedback-response-sealed = الرد المقدَّم
feedback-with-consent = بموافقة الشخص
error-invalid-occurred-on = اكتب اليوم بصيغة YYYY-MM-DD أو، إن كان تقريبياً، الشهر بصيغة YYYY-MM.
error-sensitive-only = للبلاغ الحساس فقط: حدّد موضوعه، أو اترك هذا الحقل فارغاً.
error-referral-consent-required = الإحالة إلى خارج المنظمة تتطلب موافقة الشخص: ضع علامة في خانة الموافقة.
settings-channel-agencies = المنظمة التي تتلقى الملاحظات من القنوات العامة
settings-channel-agencies-hint = الملاحظات الواردة عبر هذه القنوات تعود إلى هذه المنظمة: يُبلَّغ بها مسؤولو التصعيد فيها وتراها الأدوار المقصورة عليها. أما ما يسجّله الموظفون فيعود إلى منظمة المستخدم الذي سجّله.
settings-channel-agency-none = المنشأة كلها
settings-channel-agency-invalid = اختر منظمة من القائمة.
