## تدقيقات السلامة في المواقع
nav-audits = تدقيقات السلامة
audits-title = تدقيقات السلامة في المواقع
audits-intro = تلاحظ كل جولة موقعًا وفق أسئلة تدقيق السلامة؛ وكلما زادت نقاط الخطر ارتفع الخطر. وتتحول النتائج إلى إجراءات لها مسؤولون ومواعيد نهائية.
audits-new = تسجيل جولة تدقيق
audits-none = لا توجد جولات تدقيق بعد.
audit-thresholds = مستويات الخطر كنسبة من الحد الأقصى المنطبق: متوسط ابتداءً من { $medium }٪، ومرتفع ابتداءً من { $high }٪، ومرتفع جدًا ابتداءً من { $veryhigh }٪.
audit-site = الموقع
audit-rounds = الجولات
audit-latest = آخر جولة
audit-score-percent = الخطر (٪ من الحد الأقصى)
audit-level = مستوى الخطر
audit-open-actions = إجراءات مفتوحة
audit-overdue-actions = إجراءات متأخرة
audit-overdue-title = الإجراءات المتأخرة
audit-overdue-none = لا يوجد إجراء متأخر.
audit-action-text = الإجراء
audit-domain = المجال
audit-action-deadline = الموعد النهائي
audit-action-status = الحالة
audit-level-lower = أدنى
audit-level-medium = متوسط
audit-level-high = مرتفع
audit-level-very-high = مرتفع جدًا
audit-level-none = لا ينطبق
audit-action-status-open = مفتوح
audit-action-status-in-progress = قيد التنفيذ
audit-action-status-done = منجز
audit-answer-yes = نعم
audit-answer-partly = جزئيًا
audit-answer-no = لا
audit-answer-na = لا ينطبق
audit-reminder-title = لا تسجّل أبدًا حوادث فردية.
audit-reminder = يلاحظ تدقيق السلامة الأماكن ويستمع إلى مناقشات جماعية منفصلة مع النساء والفتيات والرجال والفتيان. لا تسأل عن أي شيء حدث لأي شخص، ولا تدوّن أسماءً أو أرقام مآوٍ أو تفاصيل حوادث. إذا كشف شخص عن حادثة، فأحِله بموافقته إلى الخدمات على مسار الإحالة؛ ولا تدوّنها هنا.
audit-form-problems = لم تُحفظ الجولة. يرجى التحقق من:
audit-field-site = الموقع
audit-field-audited_on = تاريخ التدقيق
audit-field-team_notes = ملاحظات فريق التدقيق
audit-field-answers = الإجابات
audit-field-text = الإجراء
audit-field-domain = المجال
audit-field-deadline = الموعد النهائي
audit-field-status = الحالة
audit-field-owner_id = المسؤول
audit-team-notes-hint = كلمات قليلة عن طريقة إجراء التدقيق (الملاحظة، المناقشات الجماعية، وقت اليوم). بلا أسماء وبلا حوادث.
audit-points = { $count ->
    [zero] لا نقاط خطر
    [one] نقطة خطر واحدة
    [two] نقطتا خطر
    [few] { $count } نقاط خطر
    [many] { $count } نقطة خطر
   *[other] { $count } نقطة خطر
}
audit-how = كيفية الملاحظة
audit-save = حفظ الجولة
audit-round-title = جولة تدقيق
audit-see-trend = تطوّر هذا الموقع
audit-catalog-version = مجموعة الأسئلة المستخدمة
audit-score = درجة الخطر
audit-by-domain = الدرجة حسب المجال
audit-risk-points = نقاط الخطر / الحد الأقصى
audit-actions = الإجراءات
audit-actions-none = لا توجد إجراءات بعد.
audit-overdue = متأخر
audit-action-update = تحديث
audit-action-add = إضافة إجراء
audit-answers = الإجابات
audit-question = السؤال
audit-answer = الإجابة
audit-trend-title = تطوّر تدقيقات السلامة
audit-trend-explain = الخطر كنسبة مئوية من الحد الأقصى المنطبق في كل جولة، إجمالًا وحسب المجال؛ والأدنى أكثر أمانًا.
audit-trend-total = جميع المجالات
error-incident-details = يبدو هذا النص وصفًا لحادثة فردية أو يذكر اسم شخص. تسجّل تدقيقات السلامة ما لوحظ في الموقع، ولا تسجّل أبدًا حوادث أو أسماء.
error-invalid-answer = كل إجابة هي نعم أو جزئيًا أو لا أو لا ينطبق.
error-unknown-item = تشير إحدى الإجابات إلى سؤال غير موجود في مجموعة الأسئلة الحالية.
error-unanswered = أجب عن كل سؤال؛ واستخدم «لا ينطبق» عندما لا ينطبق السؤال.
settings-audit-thresholds = مستويات الخطر في تدقيقات السلامة (٪ من الحد الأقصى: متوسط، مرتفع، مرتفع جدًا)
settings-audit-thresholds-hint = ثلاث نسب مئوية متصاعدة تفصل بينها فواصل، مثل 19.1,29.2,38.3 (أي 40 و61 و80 نقطة من 209 في مصفوفة تتبّع النزوح التابعة للمنظمة الدولية للهجرة).
settings-audit-thresholds-invalid = أدخل ثلاث نسب مئوية متصاعدة بين 0 و100 تفصل بينها فواصل.
