"""Interface text in Russian, Greek and Italian: one dict of messages per language.

Look a message up with ``message(lang, key, **values)``; ``lang`` is a canonical code
(ru, el, it). Templates call it as ``_("key", name=value)`` for the request's language.
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "ru": {
        "site_name": "База знаний клиники",
        "skip_link": "Перейти к содержанию",
        "breadcrumb": "Вы здесь",
        "language_switch": "Язык сайта",
        "home": "Главная",
        "search_label": "Поиск по процедурам и статьям",
        "search_placeholder": "Например: ботокс, гипергидроз, пилинг",
        "search_button": "Найти",
        "search_title": "Поиск",
        "search_hint": "Можно искать на русском, греческом или итальянском.",
        "catalogue_heading": "Процедуры и статьи",
        "catalogue_empty": "В базе знаний пока нет страниц на этом языке.",
        "results_heading": "Результаты по запросу «{q}»",
        "results_count": "Найдено: {n}",
        "query_lang": "Язык запроса: {name}",
        "fuzzy_note": "Показаны результаты с учётом возможных опечаток.",
        "did_you_mean": "Возможно, вы имели в виду:",
        "matched_in": "Совпадения:",
        "other_versions": "На других языках:",
        "kind_page": "Страница",
        "kind_article": "Статья",
        "refine_heading": "Уточнить поиск",
        "facet_lang": "Язык результатов",
        "facet_section": "Раздел страницы",
        "facet_all": "Все",
        "active_filters": "Фильтры:",
        "clear_filters": "Сбросить фильтры",
        "no_results": "По запросу «{q}» ничего не найдено.",
        "no_results_page": "На этой странице результатов нет.",
        "first_page": "К первой странице результатов",
        "tips_heading": "Советы",
        "tip_spelling": "Проверьте написание или попробуйте другое слово.",
        "tip_general": "Используйте более общие слова: «лазер», «пилинг», «морщины».",
        "tip_filters": "Сбросьте фильтры по языку или разделу.",
        "browse_catalogue": "Посмотреть все процедуры",
        "search_empty_prompt": "Введите запрос, чтобы найти процедуру или статью.",
        "pagination": "Страницы результатов",
        "previous": "Назад",
        "next": "Далее",
        "page_n": "Страница {n}",
        "figure_label": "Иллюстрация",
        "section_treatments": "Процедуры",
        "section_mechanisms": "Как это работает",
        "section_indications": "Показания",
        "section_text": "Текст",
        "full_text": "Полный текст страницы",
        "translations_heading": "Эта страница на других языках",
        "disclaimer": "Этот текст носит информационный характер и не является диагнозом "
                      "или назначением лечения. Проконсультируйтесь с врачом.",
        "footer": "Информация на сайте не заменяет консультацию врача.",
        "not_found_title": "Страница не найдена",
        "not_found_text": "Такой страницы нет. Воспользуйтесь поиском или перейдите на главную.",
        "not_in_lang": "Этой страницы нет {in_lang}. Она доступна:",
        "bad_request_title": "Неверный запрос",
        "bad_param": "Параметр «{param}» задан неверно.",
        "details": "Подробности: {message}",
        "unavailable_title": "Поиск временно недоступен",
        "unavailable_text": "Поисковый индекс ещё не создан. Администратору: выполните «kb index».",
        "error_title": "Ошибка на сервере",
        "error_text": "Что-то пошло не так. Попробуйте ещё раз позже.",
        "suggestions_count": "Подсказок: {n}. Стрелки вверх и вниз — выбор, Enter — открыть.",
        "no_suggestions": "Подсказок нет.",
    },
    "el": {
        "site_name": "Βάση γνώσεων της κλινικής",
        "skip_link": "Μετάβαση στο περιεχόμενο",
        "breadcrumb": "Βρίσκεστε εδώ",
        "language_switch": "Γλώσσα ιστότοπου",
        "home": "Αρχική",
        "search_label": "Αναζήτηση θεραπειών και άρθρων",
        "search_placeholder": "π.χ. μπότοξ, υπεριδρωσία, πίλινγκ",
        "search_button": "Αναζήτηση",
        "search_title": "Αναζήτηση",
        "search_hint": "Μπορείτε να γράψετε στα ελληνικά, στα ρωσικά ή στα ιταλικά.",
        "catalogue_heading": "Θεραπείες και άρθρα",
        "catalogue_empty": "Δεν υπάρχουν ακόμη σελίδες σε αυτή τη γλώσσα.",
        "results_heading": "Αποτελέσματα για «{q}»",
        "results_count": "Βρέθηκαν: {n}",
        "query_lang": "Γλώσσα αναζήτησης: {name}",
        "fuzzy_note": "Εμφανίζονται αποτελέσματα με ανοχή σε ορθογραφικά λάθη.",
        "did_you_mean": "Μήπως εννοείτε:",
        "matched_in": "Βρέθηκε σε:",
        "other_versions": "Σε άλλες γλώσσες:",
        "kind_page": "Σελίδα",
        "kind_article": "Άρθρο",
        "refine_heading": "Φιλτράρισμα",
        "facet_lang": "Γλώσσα αποτελεσμάτων",
        "facet_section": "Ενότητα σελίδας",
        "facet_all": "Όλα",
        "active_filters": "Φίλτρα:",
        "clear_filters": "Κατάργηση φίλτρων",
        "no_results": "Δεν βρέθηκαν αποτελέσματα για «{q}».",
        "no_results_page": "Δεν υπάρχουν αποτελέσματα σε αυτή τη σελίδα.",
        "first_page": "Στην πρώτη σελίδα αποτελεσμάτων",
        "tips_heading": "Συμβουλές",
        "tip_spelling": "Ελέγξτε την ορθογραφία ή δοκιμάστε άλλη λέξη.",
        "tip_general": "Χρησιμοποιήστε πιο γενικές λέξεις: «laser», «πίλινγκ», «ρυτίδες».",
        "tip_filters": "Καταργήστε τα φίλτρα γλώσσας ή ενότητας.",
        "browse_catalogue": "Δείτε όλες τις θεραπείες",
        "search_empty_prompt": "Γράψτε τι αναζητάτε για να βρείτε μια θεραπεία ή ένα άρθρο.",
        "pagination": "Σελίδες αποτελεσμάτων",
        "previous": "Προηγούμενη",
        "next": "Επόμενη",
        "page_n": "Σελίδα {n}",
        "figure_label": "Εικόνα",
        "section_treatments": "Θεραπείες",
        "section_mechanisms": "Πώς λειτουργεί",
        "section_indications": "Ενδείξεις",
        "section_text": "Κείμενο",
        "full_text": "Ολόκληρο το κείμενο της σελίδας",
        "translations_heading": "Αυτή η σελίδα σε άλλες γλώσσες",
        "disclaimer": "Το κείμενο έχει ενημερωτικό χαρακτήρα και δεν αποτελεί διάγνωση "
                      "ή ιατρική οδηγία. Συμβουλευτείτε τον γιατρό σας.",
        "footer": "Οι πληροφορίες του ιστότοπου δεν αντικαθιστούν την ιατρική συμβουλή.",
        "not_found_title": "Η σελίδα δεν βρέθηκε",
        "not_found_text": "Η σελίδα δεν υπάρχει. Χρησιμοποιήστε την αναζήτηση "
                          "ή επιστρέψτε στην αρχική.",
        "not_in_lang": "Αυτή η σελίδα δεν υπάρχει {in_lang}. Είναι διαθέσιμη:",
        "bad_request_title": "Μη έγκυρο αίτημα",
        "bad_param": "Η παράμετρος «{param}» δεν είναι έγκυρη.",
        "details": "Λεπτομέρειες: {message}",
        "unavailable_title": "Η αναζήτηση δεν είναι διαθέσιμη",
        "unavailable_text": "Το ευρετήριο αναζήτησης δεν έχει δημιουργηθεί. "
                            "Για τον διαχειριστή: εκτελέστε «kb index».",
        "error_title": "Σφάλμα διακομιστή",
        "error_text": "Κάτι πήγε στραβά. Δοκιμάστε ξανά αργότερα.",
        "suggestions_count": "Προτάσεις: {n}. Βέλη πάνω και κάτω για επιλογή, Enter για άνοιγμα.",
        "no_suggestions": "Δεν υπάρχουν προτάσεις.",
    },
    "it": {
        "site_name": "Base di conoscenza della clinica",
        "skip_link": "Vai al contenuto",
        "breadcrumb": "Sei qui",
        "language_switch": "Lingua del sito",
        "home": "Home",
        "search_label": "Cerca trattamenti e articoli",
        "search_placeholder": "es. botox, iperidrosi, peeling",
        "search_button": "Cerca",
        "search_title": "Ricerca",
        "search_hint": "Puoi cercare in italiano, russo o greco.",
        "catalogue_heading": "Trattamenti e articoli",
        "catalogue_empty": "Non ci sono ancora pagine in questa lingua.",
        "results_heading": "Risultati per «{q}»",
        "results_count": "Trovati: {n}",
        "query_lang": "Lingua della ricerca: {name}",
        "fuzzy_note": "Risultati che tengono conto di possibili errori di battitura.",
        "did_you_mean": "Forse cercavi:",
        "matched_in": "Trovato in:",
        "other_versions": "In altre lingue:",
        "kind_page": "Pagina",
        "kind_article": "Articolo",
        "refine_heading": "Affina la ricerca",
        "facet_lang": "Lingua dei risultati",
        "facet_section": "Sezione della pagina",
        "facet_all": "Tutti",
        "active_filters": "Filtri:",
        "clear_filters": "Rimuovi i filtri",
        "no_results": "Nessun risultato per «{q}».",
        "no_results_page": "Nessun risultato in questa pagina.",
        "first_page": "Alla prima pagina dei risultati",
        "tips_heading": "Suggerimenti",
        "tip_spelling": "Controlla l'ortografia o prova un'altra parola.",
        "tip_general": "Usa parole più generali: «laser», «peeling», «rughe».",
        "tip_filters": "Rimuovi i filtri per lingua o sezione.",
        "browse_catalogue": "Vedi tutti i trattamenti",
        "search_empty_prompt": "Scrivi cosa cerchi per trovare un trattamento o un articolo.",
        "pagination": "Pagine dei risultati",
        "previous": "Precedente",
        "next": "Successiva",
        "page_n": "Pagina {n}",
        "figure_label": "Immagine",
        "section_treatments": "Trattamenti",
        "section_mechanisms": "Come funziona",
        "section_indications": "Indicazioni",
        "section_text": "Testo",
        "full_text": "Testo completo della pagina",
        "translations_heading": "Questa pagina in altre lingue",
        "disclaimer": "Il testo ha carattere informativo e non costituisce una diagnosi "
                      "né una prescrizione. Consulta il tuo medico.",
        "footer": "Le informazioni del sito non sostituiscono il parere del medico.",
        "not_found_title": "Pagina non trovata",
        "not_found_text": "Questa pagina non esiste. Usa la ricerca o torna alla pagina iniziale.",
        "not_in_lang": "Questa pagina non esiste {in_lang}. È disponibile:",
        "bad_request_title": "Richiesta non valida",
        "bad_param": "Il parametro «{param}» non è valido.",
        "details": "Dettagli: {message}",
        "unavailable_title": "Ricerca non disponibile",
        "unavailable_text": "L'indice di ricerca non è ancora stato creato. "
                            "Per l'amministratore: esegui «kb index».",
        "error_title": "Errore del server",
        "error_text": "Qualcosa è andato storto. Riprova più tardi.",
        "suggestions_count": "Suggerimenti: {n}. Frecce su e giù per scegliere, Invio per aprire.",
        "no_suggestions": "Nessun suggerimento.",
    },
}

# "in Greek", "Greek" ... in each interface language: LANGUAGE_IN[ui][lang]
LANGUAGE_IN: dict[str, dict[str, str]] = {
    "ru": {"ru": "на русском", "el": "на греческом", "it": "на итальянском"},
    "el": {"ru": "στα ρωσικά", "el": "στα ελληνικά", "it": "στα ιταλικά"},
    "it": {"ru": "in russo", "el": "in greco", "it": "in italiano"},
}
LANGUAGE_NAME: dict[str, dict[str, str]] = {
    "ru": {"ru": "русский", "el": "греческий", "it": "итальянский"},
    "el": {"ru": "ρωσικά", "el": "ελληνικά", "it": "ιταλικά"},
    "it": {"ru": "russo", "el": "greco", "it": "italiano"},
}

SECTION_NAMES: dict[str, dict[str, str]] = {
    "ru": {"title": "заголовок", "treatments": "процедуры", "mechanisms": "механизм действия",
           "indications": "показания", "body": "текст"},
    "el": {"title": "τίτλος", "treatments": "θεραπείες", "mechanisms": "μηχανισμός δράσης",
           "indications": "ενδείξεις", "body": "κείμενο"},
    "it": {"title": "titolo", "treatments": "trattamenti", "mechanisms": "meccanismo d'azione",
           "indications": "indicazioni", "body": "testo"},
}

# The catalogue groups that are not concept files (a concept file's group is titled by its
# [_title] table, web.catalogue.group_titles).
GROUP_NAMES: dict[str, dict[str, str]] = {
    "ru": {"articles": "Статьи", "other": "Другое"},
    "el": {"articles": "Άρθρα", "other": "Άλλα"},
    "it": {"articles": "Articoli", "other": "Altro"},
}

# What a bad value of each parameter should be, for the 400 page.
PARAM_HINTS: dict[str, dict[str, str]] = {
    "ru": {"q": "Запрос должен содержать хотя бы одно слово и быть не длиннее "
                "{max_query} символов.",
           "field": "Раздел: treatments, mechanisms, indications, title или body.",
           "in": "Язык: ru, gr (el) или it.", "lang": "Язык: ru, gr (el) или it.",
           "page": "Номер страницы — целое число от 1 до {max_page}.",
           "limit": "Число результатов — целое число от 1 до {max_limit}."},
    "el": {"q": "Η αναζήτηση πρέπει να έχει τουλάχιστον μία λέξη και έως "
                "{max_query} χαρακτήρες.",
           "field": "Ενότητα: treatments, mechanisms, indications, title ή body.",
           "in": "Γλώσσα: ru, gr (el) ή it.", "lang": "Γλώσσα: ru, gr (el) ή it.",
           "page": "Ο αριθμός σελίδας είναι ακέραιος από 1 έως {max_page}.",
           "limit": "Ο αριθμός αποτελεσμάτων είναι ακέραιος από 1 έως {max_limit}."},
    "it": {"q": "La ricerca deve contenere almeno una parola e non superare i "
                "{max_query} caratteri.",
           "field": "Sezione: treatments, mechanisms, indications, title o body.",
           "in": "Lingua: ru, gr (el) o it.", "lang": "Lingua: ru, gr (el) o it.",
           "page": "Il numero di pagina è un intero da 1 a {max_page}.",
           "limit": "Il numero di risultati è un intero da 1 a {max_limit}."},
}


def message(lang: str, key: str, **values) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in (Russian if ``lang`` lacks it)."""
    text = MESSAGES.get(lang, MESSAGES["ru"]).get(key) or MESSAGES["ru"][key]
    return text.format(**values) if values else text


def group_name(lang: str, group: str, titles: dict[str, dict[str, str]] | None = None) -> str:
    """A catalogue group's name: its concept file's title in ``lang`` (``titles``: group ->
    language -> title), the articles' and others' own, else its id, capitalised."""
    title = (titles or {}).get(group, {}).get(lang)
    return title or GROUP_NAMES[lang].get(group) or group.replace("-", " ").capitalize()


def section_name(lang: str, section: str) -> str:
    return SECTION_NAMES[lang].get(section, section)


def param_hint(lang: str, param: str, **limits) -> str:
    hint = PARAM_HINTS[lang].get(param, "")
    return hint.format(**limits) if hint else ""
