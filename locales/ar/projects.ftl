## المشاريع: الأخطاء
error-code-taken = يستخدم مشروع آخر هذا الرمز بالفعل.
error-deviation-exists = يوجد بالفعل طلب استثناء لهذا البند قيد الانتظار أو تمت الموافقة عليه.
error-not-mandatory = الاستثناءات مخصّصة فقط لبنود التحليل والتصميم والاعتماد الإلزامية.
error-already-decided = صدر قرار بشأن هذا الاستثناء بالفعل.
error-approver-role-required = يبتّ في الاستثناءات الدورُ الذي حددته منظمتك لذلك.
error-manager-cannot-approve = لا يجوز لمدير المشروع الموافقة على استثناء في مشروعه.
error-requester-cannot-approve = لا يجوز لمن طلب الاستثناء أن يوافق عليه.
error-changed-meanwhile = تغيّر المشروع أثناء عملك عليه. راجعه مجددًا ثم أعد المحاولة.
error-not-endorsed = لا ينتقل المشروع إلى التنفيذ إلا بعد اعتماده.
error-project-closed = المشروع مغلق.
error-last-phase = التقييم هو المرحلة الأخيرة من الدورة.
error-endorsement-blocked = لا يمكن اعتماد المشروع بعد: بعض الشروط غير مستوفاة.
error-justification-required = اذكر السبب: كل إجابة غير «مستوفى» تتطلب تبريرًا.
error-invalid-link = أدخل عنوانًا إلكترونيًا يبدأ بـ https://.
error-invalid-code = استخدم الحروف والأرقام و - _ . / فقط.
error-invalid-date = أدخل التاريخ بالصيغة YYYY-MM-DD.
error-before-start = تاريخ الانتهاء يسبق تاريخ البدء.
error-too-many = عدد العناصر كبير جدًا.
error-invalid-cell = تتطلب كل خانة من السكان المستهدفين الجنسَ والفئة العمرية والفئة السكانية وعددًا صحيحًا من الأشخاص.
error-duplicate-cell = يتكرر الجنس والفئة العمرية والإعاقة والفئة السكانية نفسها مرتين في السكان المستهدفين.
error-prohibited-ground = مرفوض: لا يجوز أن يقوم الاختيار على الجنسية أو الانتماء العرقي أو الدين أو الرأي السياسي أو العشيرة أو الطبقة أو المجموعة اللغوية أو الميول الجنسية أو الهوية الجنسانية أو الوضع القانوني. تُقدَّم المساعدة على أساس الحاجة وحدها؛ استخدم معايير مثل العمر أو الإعاقة أو الاحتياجات الخاصة أو تكوين الأسرة أو التعرض للمخاطر.
error-unknown-attribute = اختر أحد المعايير القائمة على الاحتياجات.
error-need-not-stated = حدّد الحاجة التي تختلف باختلاف الجنس (مثل مستلزمات النظافة الشهرية).
error-condition-required = يتطلب كل معيار شرطه.
error-weight-out-of-range = الوزن عدد صحيح من 1 إلى 100.
error-blanket-with-criteria = الاختيار الشامل لا معايير له: اختر «وفق معايير» أو احذفها.
error-mitigation-required = اذكر كيف خُفِّف الخطر قبل إغلاقه.

## المشاريع: المفردات
project-phase-development-design = الإعداد والتصميم
project-phase-endorsement = الاعتماد
project-phase-implementation-monitoring = التنفيذ والرصد
project-phase-evaluation = التقييم
project-stage-analysis = تحليل الوضع ومواطن الضعف
project-stage-design = التصميم
project-status-draft = مسودة
project-status-endorsed = معتمد
project-status-reopened = أعيد فتحه
project-status-closed = مغلق
project-answer-met = مستوفى
project-answer-partly = مستوفى جزئيًا
project-answer-not_met = غير مستوفى
project-answer-na = لا ينطبق
project-answer-none = لم تُقدَّم إجابة بعد
project-change-sectors = تغيّرت القطاعات
project-change-locations = تغيّرت الأماكن
project-change-targeting = تغيّرت معايير الاختيار
project-dimension-mainstreaming = تعميم الحماية
project-dimension-integration = إدماج الحماية
project-dimension-specialised = الحماية المتخصصة
project-crisis-before = قبل الأزمة
project-crisis-during = أثناء الأزمة
project-crisis-after = بعد الأزمة
project-deviation-requested = طُلب استثناء
project-deviation-approved = تمت الموافقة على الاستثناء
project-deviation-rejected = رُفض الاستثناء
project-risk-open = مفتوح
project-risk-mitigating = قيد التخفيف
project-risk-closed = مغلق
project-level-low = منخفض
project-level-medium = متوسط
project-level-high = مرتفع
project-level-very-high = مرتفع جدًا
project-targeting-blanket = جميع الأشخاص في أماكن المشروع (تغطية شاملة)
project-targeting-criteria = وفق معايير
project-targeting-none = لم يُحدَّد بعد
project-attribute-age = العمر
project-attribute-disability = الإعاقة
project-attribute-specific-need = حاجة خاصة
project-attribute-household-size = حجم الأسرة
project-attribute-household-composition = تكوين الأسرة
project-attribute-dependency-ratio = نسبة الإعالة
project-attribute-exposure-to-risk = التعرض لخطر من مخاطر الحماية
project-attribute-shelter-condition = حالة المأوى
project-attribute-documentation-loss = فقدان الوثائق
project-attribute-food-insecurity = انعدام الأمن الغذائي
project-attribute-distance-to-services = المسافة إلى الخدمات
project-attribute-sex-specific-need = حاجة تختلف باختلاف الجنس
project-unmet-dnh_review = لم تتم مراجعة سجل «عدم الإضرار» منذ آخر تغيير عليه.
project-unmet-targeting = لم يُحسم الاختيار، أو أن أحد المعايير لا يجتاز فحص عدم التمييز.

## المشاريع: الصفحات
nav-projects = المشاريع
projects-title = المشاريع
projects-new = مشروع جديد
projects-search = الرمز أو العنوان
projects-filter = عرض
projects-count = { $count ->
    [zero] لا توجد مشاريع
    [one] مشروع واحد
    [two] مشروعان
    [few] { $count } مشاريع
    [many] { $count } مشروعًا
   *[other] { $count } مشروع
}
project-code = الرمز
project-title = العنوان
project-edit = تعديل المشروع
project-form-problems = بعض الحقول تحتاج إلى مراجعة:
project-summary = الملخص
project-sectors = قطاعات المساعدة
project-phase = المرحلة
project-status = الحالة
project-crisis-phase = مرحلة الأزمة
project-places = الأماكن (رموز P)
project-places-hint = رموز P مفصولة بفواصل، من شجرة المواقع.
project-start-date = تاريخ البدء
project-end-date = تاريخ الانتهاء
project-dates = التواريخ
project-partners = الشركاء المنفذون (مفصولون بفواصل)
project-dimension = بُعد الحماية
project-pillars = الركائز التشغيلية (PiHA)
project-action-types = أنواع إجراءات الحماية
project-at-risk-groups = الفئات المعرّضة للخطر المستهدفة
project-target-population = السكان المستهدفون
project-group = الفئة السكانية
project-age-bracket = الفئة العمرية
project-with-disability = من ذوي الإعاقة
project-people = الأشخاص
project-no = لا
project-yes = نعم
project-targeting = اختيار الأشخاص المستفيدين
project-targeting-hint = تُقدَّم المساعدة على أساس الحاجة وحدها. تقوم المعايير على الاحتياجات (العمر، الإعاقة، الاحتياجات الخاصة، تكوين الأسرة، التعرض للمخاطر)، ولا تقوم أبدًا على الجنسية أو الانتماء العرقي أو الدين أو الرأي السياسي أو العشيرة أو ما شابه ذلك.
project-attribute = الحاجة
project-condition = الشرط
project-rule = القاعدة
project-rule-weight = الوزن
project-rule-eligibility = الأهلية
project-criterion-notes = ملاحظات
project-selection-notes = ملاحظات حول الاختيار
project-save = حفظ المشروع
project-reopened-because = أعيد فتح الاعتماد بعد إقراره:
project-gate = الاعتماد
project-gate-open = جميع الشروط مستوفاة: يمكن اعتماد المشروع.
project-gate-unmet = { $count ->
    [zero] لا توجد شروط تمنع الاعتماد
    [one] شرط واحد يمنع الاعتماد:
    [two] شرطان يمنعان الاعتماد:
    [few] { $count } شروط تمنع الاعتماد:
    [many] { $count } شرطًا يمنع الاعتماد:
   *[other] { $count } شرط يمنع الاعتماد:
}
project-endorse = اعتماد المشروع
project-next-phase = الانتقال إلى:
project-endorsements = سجلات الاعتماد
project-register = المشروع
project-checklist = قائمة مراجعة الحماية
project-mandatory = إلزامي
project-sector-standard = معيار قطاعي
project-guidance = إرشادات
project-evidence = الدليل
project-answer = الإجابة
project-justification = التبرير
project-evidence-link = رابط الدليل
project-save-answer = حفظ الإجابة
project-decision-note = ملاحظة على القرار
project-approve-deviation = الموافقة على الاستثناء
project-reject-deviation = رفض الاستثناء
project-request-deviation = طلب استثناء
project-deviation-justification = لماذا يتعذر استيفاء البند، وكيف يُعالَج الخطر بطريقة أخرى
project-risks = سجل «عدم الإضرار»
project-last-review = آخر مراجعة:
project-never-reviewed = لم تتم مراجعة السجل بعد.
project-risk = خطر قد ينشأ عن المشروع
project-risk-description = الوصف
project-gpc-risk = خطر الحماية (مجموعة الحماية العالمية)
project-level = المستوى
project-likelihood = الاحتمال (1 نادر – 5 شبه مؤكد)
project-impact = الأثر (1 طفيف – 5 جسيم)
project-mitigation = التخفيف
project-due = الموعد
project-add-risk = إضافة خطر
project-review-note = ملاحظة على المراجعة
project-review-register = تسجيل مراجعة للسجل
project-history = السجل التاريخي
project-endorsement-record = سجل الاعتماد
project-endorsed-by = اعتمده
project-endorsed-at = تاريخ الاعتماد
project-checklist-version = إصدار قائمة المراجعة
project-snapshot-hash = بصمة SHA-256 لما تم اعتماده
project-endorsement-immutable = لا يمكن تغيير هذا السجل. أي تغيير جوهري في المشروع يعيد فتح الاعتماد ويستلزم اعتمادًا جديدًا.
project-item = البند
project-approved-deviations = الاستثناءات الموافق عليها
project-back = العودة إلى المشروع
project-group-idp = النازحون داخليًا
project-group-refugee = اللاجئون
project-group-migrant = المهاجرون
project-group-returnee = العائدون
project-group-host = المجتمع المضيف
project-event-created = سُجّل
project-event-updated = عُدّل المشروع
project-event-reopened = أعيد فتح الاعتماد
project-event-answered = أُجيب عن بند في قائمة المراجعة
project-event-deviation-requested = طُلب استثناء
project-event-deviation-decided = صدر قرار بشأن استثناء
project-event-risk-saved = حُفظ خطر
project-event-dnh-review = رُوجع السجل
project-event-endorsed = اعتُمد
project-event-phase = تغيّرت المرحلة

## الحافظة
portfolio-title = حافظة المشاريع
portfolio-pending-deviations = استثناءات بانتظار القرار
portfolio-overdue-risks = إجراءات «عدم الإضرار» المتأخرة
portfolio-export-csv = تنزيل (CSV بصيغة HXL)
portfolio-export-xlsx = تنزيل (Excel)
portfolio-scores = بنود قائمة المراجعة المستوفاة، حسب المبدأ
portfolio-principle = المبدأ
portfolio-met = المستوفى
portfolio-by-status = المشاريع حسب الحالة
portfolio-by-sector-phase = المشاريع حسب القطاع والمرحلة
portfolio-previous = السابق
portfolio-next = التالي
